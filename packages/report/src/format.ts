/**
 * Numbers for people: four significant digits, exponent form where plain digits would be
 * long or all zeros, and the non-finite values a diverged run produces spelled out.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}
