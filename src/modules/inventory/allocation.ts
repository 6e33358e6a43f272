/**
 * The pure reservation planner: which locations a multi-line reservation takes each line from.
 *
 * Goal, in order: never take more from a location than it has available; ship from as few locations as
 * possible; prefer whole lines from one location over splitting; then location priority. Greedy set
 * cover: repeatedly pick the location that can fully cover the most remaining lines (ties: most units,
 * then priority), assign those lines; lines no single location can cover are split, first over the
 * locations already chosen, then over new ones by most available (fewest extra locations for that line).
 */
export interface PlanLine {
  variant_id: string;
  quantity: number;
}

export interface PlanLocation {
  id: string;
  /** Lower is preferred. */
  priority: number;
  /** Available units per variant at this location (on hand − reserved), >= 0. */
  available: ReadonlyMap<string, number>;
}

export interface Allocation {
  variant_id: string;
  location_id: string;
  quantity: number;
}

export interface PlanResult {
  allocations: Allocation[];
  /** Units that no location could supply, per variant (the caller decides: backorder or refuse). */
  unfilled: Map<string, number>;
}

/** `partial`: variants that may take less than asked (backorder, preorder); the gap stays in `unfilled`. */
export function planAllocation(
  lines: readonly PlanLine[],
  locations: readonly PlanLocation[],
  partial: ReadonlySet<string> = new Set(),
): PlanResult {
  const remaining = new Map<string, number>();
  for (const line of lines) {
    if (line.quantity > 0)
      remaining.set(line.variant_id, (remaining.get(line.variant_id) ?? 0) + line.quantity);
  }
  const left = new Map(locations.map((l) => [l.id, new Map(l.available)]));
  const order = [...locations].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));
  const chosen: string[] = [];
  const allocations: Allocation[] = [];

  const take = (locationId: string, variantId: string, quantity: number) => {
    const stock = left.get(locationId)!;
    stock.set(variantId, (stock.get(variantId) ?? 0) - quantity);
    const rest = remaining.get(variantId)! - quantity;
    if (rest === 0) remaining.delete(variantId);
    else remaining.set(variantId, rest);
    const existing = allocations.find((a) => a.location_id === locationId && a.variant_id === variantId);
    if (existing) existing.quantity += quantity;
    else allocations.push({ variant_id: variantId, location_id: locationId, quantity });
    if (!chosen.includes(locationId)) chosen.push(locationId);
  };

  // Phase 1: whole lines, greedy set cover over locations.
  for (;;) {
    let best: { id: string; lines: string[]; units: number } | undefined;
    for (const location of order) {
      const stock = left.get(location.id)!;
      const covered = [...remaining].filter(([variant, quantity]) => (stock.get(variant) ?? 0) >= quantity);
      if (covered.length === 0) continue;
      const units = covered.reduce((sum, [, quantity]) => sum + quantity, 0);
      const prefer = chosen.includes(location.id) ? 1 : 0;
      const bestPrefer = best && chosen.includes(best.id) ? 1 : 0;
      if (
        !best ||
        covered.length > best.lines.length ||
        (covered.length === best.lines.length &&
          (prefer > bestPrefer || (prefer === bestPrefer && units > best.units)))
      )
        best = { id: location.id, lines: covered.map(([variant]) => variant), units };
    }
    if (!best) break;
    for (const variant of best.lines) take(best.id, variant, remaining.get(variant)!);
  }

  // Phase 2: split what no single location can cover.
  for (const [variant] of [...remaining]) {
    const candidates = order
      .map((location) => ({ id: location.id, available: left.get(location.id)!.get(variant) ?? 0 }))
      .filter((c) => c.available > 0)
      .sort((a, b) => {
        const chosenA = chosen.includes(a.id) ? 0 : 1;
        const chosenB = chosen.includes(b.id) ? 0 : 1;
        return chosenA - chosenB || b.available - a.available;
      });
    const total = candidates.reduce((sum, c) => sum + c.available, 0);
    // Cannot be filled: take what exists only when the variant may be partly filled; the gap is reported.
    if (total < remaining.get(variant)! && !partial.has(variant)) continue;
    for (const candidate of candidates) {
      const need = remaining.get(variant);
      if (!need) break;
      take(candidate.id, variant, Math.min(need, candidate.available));
    }
  }
  return { allocations, unfilled: remaining };
}

/** Total available per variant across the locations, for shortage reports. */
export function totalAvailable(locations: readonly PlanLocation[], variantId: string): number {
  return locations.reduce((sum, l) => sum + Math.max(0, l.available.get(variantId) ?? 0), 0);
}
