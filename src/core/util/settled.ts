/**
 * `Promise.all` that waits for every promise before it rejects: the first failure is thrown only
 * once the others have finished too, so nothing started here is still writing (a scratch index, a
 * lock file) after the caller has been told it failed and has moved on or cleaned up.
 */
export async function allSettledOrThrow<A, B>(promises: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(promises);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}
