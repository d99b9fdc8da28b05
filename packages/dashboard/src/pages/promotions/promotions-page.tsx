/** Placeholder until the page is built. */
export function PromotionsPage() {
  return <h1>promotions</h1>;
}
