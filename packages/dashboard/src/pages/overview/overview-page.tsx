/** Placeholder until the page is built. */
export function OverviewPage() {
  return <h1>overview</h1>;
}
