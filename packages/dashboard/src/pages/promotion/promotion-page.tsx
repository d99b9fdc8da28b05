/** Placeholder until the page is built. */
export function PromotionPage({ id }: { id: string }) {
  return <h1>promotion {id}</h1>;
}
