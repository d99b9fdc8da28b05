import { describe, expect, it } from 'vitest';
import { auditQuery, describeAuditFilters, targetHref } from './audit-words';

describe('audit filters', () => {
  it('passes the API its own names', () => {
    expect(auditQuery({ actor: 'alice', since: '24h' })).toEqual({ actor: 'alice', since: '24h' });
  });

  it('says prefixes and exact matches apart', () => {
    expect(describeAuditFilters({ target: 'token/*', action: 'token.create' }).sentence).toBe(
      'Audit entries with action token.create about a target starting with token/.',
    );
    expect(describeAuditFilters({ until: '7d' }).parts).toEqual([
      { key: 'until', words: 'recorded more than 7d ago' },
    ]);
  });
});

describe('audit targets', () => {
  it('link to the page that shows them', () => {
    expect(targetHref('promotion/0193a4b2-aaaa')).toBe('/promotions/0193a4b2-aaaa');
    expect(targetHref('incident/i-1')).toBe('/incidents/i-1');
    expect(targetHref('service/checkout')).toBe('/services/checkout');
  });

  it('have no link when the dashboard has no page for them', () => {
    expect(targetHref('token/deploy-bot')).toBeUndefined();
    expect(targetHref('release/checkout/2026.11.3')).toBeUndefined();
    expect(targetHref('promotion/')).toBeUndefined();
    expect(targetHref('promotion')).toBeUndefined();
  });
});
