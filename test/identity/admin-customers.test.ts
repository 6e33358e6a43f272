import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, customerCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

describe('admin: customers, groups and security settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('manages groups, assigns a customer, and audits the change with personal data redacted', async () => {
    const headers = await adminHeaders(t, 'admin');
    const customer = await customerCredentials(t, { first_name: 'Greta', phone: '+46 8 123 456' });
    const group = await t.app.inject({
      method: 'POST',
      url: '/admin/customer-groups',
      headers,
      payload: { name: 'wholesale' },
    });
    expect(group.statusCode).toBe(201);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/admin/customer-groups',
      headers,
      payload: { name: 'wholesale' },
    });
    expect(dup.json().error.code).toBe('CONFLICT');
    const unknown = await t.app.inject({
      method: 'PATCH',
      url: `/admin/customers/${customer.id}`,
      headers,
      payload: { group_id: 'cgrp_nope' },
    });
    expect(unknown.statusCode).toBe(400);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/customers/${customer.id}`,
      headers,
      payload: { group_id: group.json().id, last_name: 'Garbo' },
    });
    expect(patched.json()).toMatchObject({
      group_id: group.json().id,
      last_name: 'Garbo',
      first_name: 'Greta',
    });
    const inGroup = await t.app.inject({ url: `/admin/customers?group_id=${group.json().id}`, headers });
    expect(inGroup.json().data.map((c: { id: string }) => c.id)).toEqual([customer.id]);
    const audit = await t.app.inject({
      url: `/admin/audit-log?action=customer.updated&target_id=${customer.id}`,
      headers,
    });
    const diff = audit.json().data[0].diff;
    expect(diff.before.group_id).toBeNull();
    expect(diff.after.group_id).toBe(group.json().id);
    expect(diff.after.last_name).toBe('[redacted]');
    expect(JSON.stringify(audit.json())).not.toContain('Garbo');

    const rename = await t.app.inject({
      method: 'PATCH',
      url: `/admin/customer-groups/${group.json().id}`,
      headers,
      payload: { name: 'trade' },
    });
    expect(rename.json().name).toBe('trade');
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/admin/customer-groups/${group.json().id}`, headers }))
        .statusCode,
    ).toBe(204);
    expect(
      (await t.app.inject({ url: `/admin/customers/${customer.id}`, headers })).json().group_id,
    ).toBeNull();
  });

  it('lists customers newest first with keyset pages', async () => {
    const headers = await adminHeaders(t, 'support');
    for (let i = 0; i < 3; i++) await customerCredentials(t);
    const first = await t.app.inject({ url: '/admin/customers?limit=2', headers });
    expect(first.json().data).toHaveLength(2);
    const second = await t.app.inject({
      url: `/admin/customers?limit=2&cursor=${first.json().next_cursor}`,
      headers,
    });
    const ids = [...first.json().data, ...second.json().data].map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('reads and changes security settings (settings:write), validated', async () => {
    const owner = await staffCredentials(t, 'owner');
    const get = await t.app.inject({ url: '/admin/settings/security', headers: owner.headers });
    expect(get.json()).toEqual({
      require_staff_mfa: false,
      session_retention_days: 30,
      event_retention_days: 395,
    });
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/admin/settings/security',
      headers: owner.headers,
      payload: { session_retention_days: 0 },
    });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/admin/settings/security',
      headers: owner.headers,
      payload: { session_retention_days: 7 },
    });
    expect(patch.json().session_retention_days).toBe(7);
    const analyst = await adminHeaders(t, 'analyst');
    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/admin/settings/security',
          headers: analyst,
          payload: {},
        })
      ).statusCode,
    ).toBe(403);
  });
});
