import { describe, expect, it } from 'vitest';
import {
  cookieValue,
  decideRoute,
  stickyBucket,
  validateRoutingTable,
  type Backend,
  type RoutingTable,
} from './routing.js';

const blue: Backend = {
  version: '2026.11.2',
  role: 'stable',
  endpoints: [{ host: '127.0.0.1', port: 4001 }],
};
const green: Backend = {
  version: '2026.11.3',
  role: 'canary',
  endpoints: [{ host: '127.0.0.1', port: 4002 }],
};

function request(headers: Record<string, string>) {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { header: (name: string) => lower.get(name) };
}

function decide(table: RoutingTable, headers: Record<string, string> = {}, random = () => 0.5) {
  return decideRoute(validateRoutingTable(table), request(headers), 'checkout', random);
}

describe('decideRoute', () => {
  it('routes nowhere without backends, and to the only side when there is one', () => {
    expect(decide({ canaryWeight: 50 })).toBeUndefined();
    expect(decide({ stable: blue, canaryWeight: 50 })).toMatchObject({ role: 'stable', reason: 'only' });
    expect(decide({ canary: green, canaryWeight: 0 })).toMatchObject({ role: 'canary', reason: 'only' });
  });

  it('draws by weight and sets the sticky cookie on a random choice only', () => {
    const table: RoutingTable = {
      stable: blue,
      canary: green,
      canaryWeight: 10,
      stickiness: { cookie: 'gantry-canary' },
    };
    expect(decide(table, {}, () => 0.05)).toEqual({
      backend: expect.objectContaining({ version: green.version }) as Backend,
      role: 'canary',
      reason: 'weight',
      setCookie: 'gantry-canary=canary; Path=/; HttpOnly; SameSite=Lax',
    });
    expect(decide(table, {}, () => 0.1)).toMatchObject({
      role: 'stable',
      setCookie: 'gantry-canary=stable; Path=/; HttpOnly; SameSite=Lax',
    });
    expect(decide({ ...table, stickiness: undefined }, {}, () => 0.05)).not.toHaveProperty('setCookie');
  });

  it('takes the slot of the table as the role, whatever the backend says', () => {
    expect(decide({ stable: green, canaryWeight: 0 })).toMatchObject({ role: 'stable' });
  });

  it('honours the override header when that side exists', () => {
    const table: RoutingTable = { stable: blue, canary: green, canaryWeight: 0 };
    expect(decide(table, { 'X-Gantry-Canary': 'always' })).toMatchObject({
      role: 'canary',
      reason: 'override',
    });
    expect(decide({ ...table, canaryWeight: 100 }, { 'X-Gantry-Canary': 'NEVER' })).toMatchObject({
      role: 'stable',
      reason: 'override',
    });
    expect(decide({ stable: blue, canaryWeight: 0 }, { 'X-Gantry-Canary': 'always' })).toMatchObject({
      role: 'stable',
      reason: 'only',
    });
  });

  it('keeps a user on one side by hashing the stickiness header, and only moves users to the canary as the weight grows', () => {
    const table: RoutingTable = {
      stable: blue,
      canary: green,
      canaryWeight: 10,
      stickiness: { header: 'X-User' },
    };
    const users = Array.from({ length: 2_000 }, (_, index) => `user-${index}`);
    const side = (weight: number, user: string) =>
      decide({ ...table, canaryWeight: weight }, { 'X-User': user }, Math.random)!.role;
    const at10 = users.map((user) => side(10, user));
    // The random source is ignored: asking again gives the same answers.
    expect(users.map((user) => side(10, user))).toEqual(at10);
    const share = at10.filter((role) => role === 'canary').length / users.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
    const at50 = users.map((user) => side(50, user));
    users.forEach((_, index) => {
      if (at10[index] === 'canary') expect(at50[index]).toBe('canary');
    });
    expect(decide(table, { 'X-User': 'someone' })).toMatchObject({ reason: 'header' });
    expect(decide(table, { 'X-User': 'someone' })).not.toHaveProperty('setCookie');
  });

  it('honours the sticky cookie, except where the weight gives that side nothing', () => {
    const table: RoutingTable = {
      stable: blue,
      canary: green,
      canaryWeight: 10,
      stickiness: { cookie: 'gantry-canary' },
    };
    expect(decide(table, { Cookie: 'a=1; gantry-canary=canary' }, () => 0.99)).toMatchObject({
      role: 'canary',
      reason: 'cookie',
    });
    expect(decide(table, { Cookie: 'gantry-canary=stable' }, () => 0)).toMatchObject({
      role: 'stable',
      reason: 'cookie',
    });
    expect(decide({ ...table, canaryWeight: 0 }, { Cookie: 'gantry-canary=canary' })).toMatchObject({
      role: 'stable',
      reason: 'weight',
    });
    expect(decide(table, { Cookie: 'gantry-canary=whatever' }, () => 0.99)).toMatchObject({
      reason: 'weight',
    });
  });

  it('puts the stickiness header before the cookie', () => {
    const table: RoutingTable = {
      stable: blue,
      canary: green,
      canaryWeight: 50,
      stickiness: { header: 'X-User', cookie: 'gantry-canary' },
    };
    const user = Array.from({ length: 100 }, (_, index) => `u${index}`).find(
      (candidate) => stickyBucket('checkout', candidate) >= 50,
    )!;
    expect(decide(table, { 'X-User': user, Cookie: 'gantry-canary=canary' })).toMatchObject({
      role: 'stable',
      reason: 'header',
    });
  });
});

describe('stickyBucket', () => {
  it('is stable, in 0..99, spread evenly, and depends on the service', () => {
    expect(stickyBucket('checkout', 'alice')).toBe(stickyBucket('checkout', 'alice'));
    const counts = new Array<number>(100).fill(0);
    let differs = 0;
    for (let index = 0; index < 20_000; index++) {
      const bucket = stickyBucket('checkout', `user-${index}`);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(100);
      counts[bucket]!++;
      if (bucket !== stickyBucket('payments', `user-${index}`)) differs++;
    }
    // 200 expected per bucket, standard deviation about 14.
    expect(Math.min(...counts)).toBeGreaterThan(130);
    expect(Math.max(...counts)).toBeLessThan(270);
    expect(differs).toBeGreaterThan(19_000);
  });
});

describe('cookieValue', () => {
  it('finds one cookie among others', () => {
    expect(cookieValue('a=1; gantry-canary=canary; b=2', 'gantry-canary')).toBe('canary');
    expect(cookieValue('gantry-canary="stable"', 'gantry-canary')).toBe('stable');
    expect(cookieValue('xgantry-canary=canary', 'gantry-canary')).toBeUndefined();
    expect(cookieValue(undefined, 'gantry-canary')).toBeUndefined();
  });
});

describe('validateRoutingTable', () => {
  it('rejects what would misroute, and returns a frozen copy', () => {
    expect(() => validateRoutingTable({ canaryWeight: 101 })).toThrow(/0 to 100/);
    expect(() => validateRoutingTable({ canaryWeight: Number.NaN })).toThrow(/0 to 100/);
    expect(() => validateRoutingTable({ stable: { ...blue, version: 'a b' }, canaryWeight: 0 })).toThrow(
      /version/,
    );
    expect(() =>
      validateRoutingTable({
        stable: { ...blue, endpoints: [{ host: 'x', port: 70_000 }] },
        canaryWeight: 0,
      }),
    ).toThrow(/port/);
    expect(() => validateRoutingTable({ canaryWeight: 0, stickiness: { cookie: 'a;b' } })).toThrow(/cookie/);
    const endpoints = [{ host: '127.0.0.1', port: 4001 }];
    const table = validateRoutingTable({ stable: { ...blue, endpoints }, canaryWeight: 0 });
    endpoints[0]!.port = 9;
    expect(table.stable!.endpoints[0]!.port).toBe(4001);
    expect(Object.isFrozen(table.stable!.endpoints)).toBe(true);
  });
});
