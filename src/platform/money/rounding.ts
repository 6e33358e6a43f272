/**
 * Integer rounding of exact rationals. Amounts are integer minor units; a fraction of a minor unit only
 * appears when we divide (tax rates, percentages, proportional splits), so every rounding in Stratus
 * goes through `divideRounded`. BigInt inside, so amount × basis points never loses precision past 2^53.
 */
export type RoundingMode =
  /** Half away from zero: 2.5 → 3, -2.5 → -3. Commercial rounding; the default for every currency. */
  | 'half_up'
  /** Banker's rounding: 2.5 → 2, 3.5 → 4. Unbiased over many roundings. */
  | 'half_even'
  /** Toward zero. */
  | 'down'
  /** Away from zero. */
  | 'up';

function toBig(value: number | bigint, name: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
  return BigInt(value);
}

function toSafeNumber(value: bigint): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError(`result ${value} exceeds the safe integer range`);
  return result;
}

/** round(numerator / denominator) under `mode`, for integers; the denominator must not be zero. */
export function divideRounded(
  numerator: number | bigint,
  denominator: number | bigint,
  mode: RoundingMode = 'half_up',
): number {
  let n = toBig(numerator, 'numerator');
  let d = toBig(denominator, 'denominator');
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let quotient = abs / d;
  const remainder = abs % d;
  if (remainder !== 0n) {
    const twice = remainder * 2n;
    let bump: boolean;
    switch (mode) {
      case 'down':
        bump = false;
        break;
      case 'up':
        bump = true;
        break;
      case 'half_up':
        bump = twice >= d;
        break;
      case 'half_even':
        bump = twice > d || (twice === d && quotient % 2n === 1n);
        break;
    }
    if (bump) quotient += 1n;
  }
  return toSafeNumber(negative ? -quotient : quotient);
}

/** 1 basis point = 0.01 %; 2300 bp = 23 %. Rates are integers in basis points everywhere. */
export const BASIS_POINTS = 10_000;

/** `amount × basisPoints / 10 000`, rounded. */
export function percentOf(amount: number, basisPoints: number, mode: RoundingMode = 'half_up'): number {
  return divideRounded(
    BigInt(toBig(amount, 'amount')) * toBig(basisPoints, 'basisPoints'),
    BASIS_POINTS,
    mode,
  );
}

/**
 * Splits `amount` into parts proportional to `ratios` (non-negative integers, not all zero) that sum to
 * exactly `amount`: largest remainder method, ties to the earlier part. Use it to spread an order
 * discount or shipping tax over lines without losing or inventing a minor unit.
 */
export function allocate(amount: number, ratios: readonly number[]): number[] {
  const total = toBig(amount, 'amount');
  if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
  const weights = ratios.map((r, i) => {
    const w = toBig(r, `ratios[${i}]`);
    if (w < 0n) throw new RangeError('ratios must be non-negative');
    return w;
  });
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new RangeError('ratios must not all be zero');
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const parts = weights.map((w) => (abs * w) / sum);
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (abs * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts.map((p) => toSafeNumber(negative ? -p : p));
}
