// The part of lib/route.ts the bench drives, looked up at run time through this shape so the
// bench builds (and says "skipped") where a checkout does not have it yet.
export interface BenchSpec {
  dst: string;
  via?: string;
  dev?: string | number;
}
export interface BenchBulk {
  ok: number;
  failed: { index: number; error: Error }[];
}
type ManyFn = (specs: Iterable<BenchSpec>) => Promise<BenchBulk>;
type OneFn = (spec: BenchSpec) => Promise<unknown>;
export interface RouteApiShape {
  addMany?: ManyFn;
  replaceMany?: ManyFn;
  delMany?: ManyFn;
  add?: OneFn;
  replace?: OneFn;
  del?: OneFn;
  dump?: (filter?: { table?: number | string; family?: 4 | 6 }) => AsyncIterable<{ dst: string; table: number }>;
  list?: (filter?: { table?: number | string; family?: 4 | 6 }) => Promise<{ dst: string; table: number }[]>;
}

/** The methods of `route` this bench needs that it does not have. */
export function missingMethods(route: unknown, needs: readonly (keyof RouteApiShape)[]): string[] {
  const r = route as RouteApiShape;
  return needs.filter((k) => typeof r[k] !== 'function');
}
