/** Placeholder until the page is built. */
export function DoraPage() {
  return <h1>dora</h1>;
}
