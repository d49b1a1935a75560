// ETags of bookings. Strong, because If-Match compares strongly (RFC 9110 §13.1.1): a weak ETag could never
// match. The booking's `version` is bumped by every change to it, so the version alone identifies the state.

export function bookingEtag(version: number): string {
  return `"${version}"`;
}

/** Whether an If-Match header value (a list of ETags, or `*`) matches the booking's current version. */
export function ifMatchAllows(ifMatch: string, version: number): boolean {
  const current = bookingEtag(version);
  return ifMatch.split(",").map((tag) => tag.trim()).some((tag) => tag === "*" || tag === current);
}
