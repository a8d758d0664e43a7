/** How numbers and times read in the console. */

export const percent = (share: number, digits = 1): string => `${(share * 100).toFixed(digits)}%`;

/** A figure with 3 significant digits (metrics, scores). */
export const figure = (value: number | null | undefined): string =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : Number(value.toPrecision(3)).toString();

export const dateTime = (iso: string | number | null | undefined): string => {
  if (iso === null || iso === undefined) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? String(iso)
    : date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
};

/** Bits per second as kbit/s or Mbit/s. */
export const bitrate = (bps: number | undefined): string =>
  bps === undefined
    ? '–'
    : bps >= 1e6
      ? `${(bps / 1e6).toFixed(2)} Mbit/s`
      : `${Math.round(bps / 1e3)} kbit/s`;

/** Minor currency units (cents) as a major amount. */
export const money = (minor: number): string => (minor / 100).toFixed(2);
