/** One section of the benchmark report: a titled table of rows, with optional notes. */
export type BenchSection = { title: string; rows: Record<string, string | number>[]; notes?: string[] };
