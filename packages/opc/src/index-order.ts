/**
 * The indices 0…length-1 sorted by `key`, in one typed array: ordering 20,000 items by offset this way
 * allocates nothing per item, where an array of `{ item, index }` pairs lives, and is copied by the young
 * generation collector, for as long as the work it orders.
 */
export function indicesBy(length: number, key: (index: number) => number): Uint32Array {
  const order = new Uint32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  return order.sort((a, b) => key(a) - key(b));
}
