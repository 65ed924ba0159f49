/** Display helpers for the API's decimal strings (exact values stay strings). */
export function fmt(value: string | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || value === '') return '–';
  const number = Number(value);
  return Number.isFinite(number)
    ? number.toLocaleString('en-US', {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      })
    : value;
}

export function qty(value: string | null | undefined): string {
  return value ?? '–';
}

export function pnlColor(value: string): string {
  const number = Number(value);
  return number > 0 ? 'teal' : number < 0 ? 'red' : 'inherit';
}
