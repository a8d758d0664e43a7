/** A catalog item as a tile: its poster when a video exists, otherwise a lettered block, and its title. */
import type { ComponentChildren } from 'preact';
import type { CatalogItem } from '../catalog.ts';
import { usePosters } from '../posters.ts';

const initials = (title: string) =>
  title
    .split(/\s+/)
    .filter((word) => /^[A-Za-z0-9]/.test(word))
    .slice(0, 2)
    .map((word) => word[0].toUpperCase())
    .join('');

/** A stable hue per genre, so tiles of one genre look alike. */
const hueOf = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);

export function ItemTile({
  itemId,
  item,
  children,
}: {
  itemId: string;
  item?: CatalogItem;
  children?: ComponentChildren;
}) {
  const poster = usePosters().get(itemId);
  const title = item?.title ?? itemId;
  return (
    <div class="tile" data-item={itemId}>
      {poster ? (
        <img class="poster" src={poster} alt={`Poster of ${title}`} loading="lazy" />
      ) : (
        <div
          class="poster placeholder"
          aria-hidden="true"
          style={{ background: `hsl(${hueOf(item?.genres?.[0] ?? itemId)} 45% 40%)` }}
        >
          {initials(title)}
        </div>
      )}
      <div class="tile-text">
        <strong>{title}</strong>
        <span class="muted">
          {itemId}
          {item?.genres?.length ? ` · ${item.genres.slice(0, 2).join(', ')}` : ''}
        </span>
        {children && <span>{children}</span>}
      </div>
    </div>
  );
}
