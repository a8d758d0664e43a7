import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { delimitedRows, readMovieLens } from '#adapters/datasets/movielens-files.ts';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'marquee-ml-'));
}

describe('MovieLens readers', () => {
  it('reads the ml-100k layout: tab-separated u.data and latin-1 pipe-separated u.item', async () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'u.data'),
      '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t242\t1\t878887116\n',
    );
    const flags = (on: number[]) =>
      Array.from({ length: 19 }, (_, i) => (on.includes(i) ? '1' : '0')).join('|');
    const items = `242|Kolya (1996)|24-Jan-1997||http://x|${flags([5])}\n302|L.A. Confidential (1997)|01-Jan-1997||http://y|${flags([6, 10, 16])}\n1|Cr\u00e8me (1995)|01-Jan-1995||http://z|${flags([0])}\n`;
    writeFileSync(path.join(dir, 'u.item'), Buffer.from(items, 'latin1'));
    // Act
    const data = await readMovieLens(dir);
    // Assess
    expect(data.layout).toBe('ml-100k');
    expect(data.ratings).toHaveLength(3);
    expect(data.ratings[0]).toEqual({ userId: '196', itemId: '242', rating: 3, timestamp: 881250949000 });
    expect(data.items.find((i) => i.itemId === '302')?.genres).toEqual(['Crime', 'Film-Noir', 'Thriller']);
    expect(data.items.find((i) => i.itemId === '242')?.releaseDate).toBe('1997-01-24');
    expect(data.items.find((i) => i.itemId === '1')?.title).toBe('Cr\u00e8me (1995)');
  });

  it('reads the ml-latest layout with CRLF line ends, quoted titles and tags gathered per movie', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'ratings.csv'),
      'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n2,11,2.5,964981247\r\n',
    );
    writeFileSync(
      path.join(dir, 'movies.csv'),
      'movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n11,"American President, The (1995)",Comedy|Drama|Romance\r\n12,Nothing (2000),(no genres listed)\r\n',
    );
    writeFileSync(
      path.join(dir, 'tags.csv'),
      'userId,movieId,tag,timestamp\r\n2,11,"""artsy""",1\r\n3,11,Funny,2\r\n4,11,funny,3\r\n',
    );
    const data = await readMovieLens(dir);
    expect(data.layout).toBe('ml-latest');
    expect(data.ratings.map((r) => r.rating)).toEqual([4, 2.5]);
    const president = data.items.find((i) => i.itemId === '11');
    expect(president?.title).toBe('American President, The (1995)');
    expect(president?.genres).toEqual(['Comedy', 'Drama', 'Romance']);
    expect(president?.tags.sort()).toEqual(['"artsy"', 'funny']);
    expect(data.items.find((i) => i.itemId === '12')?.genres).toEqual([]);
  });

  it('parses quoted CSV fields containing commas, doubled quotes and line breaks', async () => {
    const file = path.join(tempDir(), 'quoted.csv');
    writeFileSync(file, 'a,"b,c","d""e"\r\n"x\ny",z\n');
    const rows: string[][] = [];
    for await (const row of delimitedRows(file)) rows.push(row);
    expect(rows).toEqual([
      ['a', 'b,c', 'd"e'],
      ['x\ny', 'z'],
    ]);
  });

  it('refuses a directory holding neither layout', async () => {
    await expect(readMovieLens(tempDir())).rejects.toThrow(/neither u.data/);
  });
});
