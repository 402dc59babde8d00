import type { LockerClient } from '@digital-locker/client';
import { useEffect, useState } from 'preact/hooks';
import { formatTime, t } from '../i18n.js';
import { DataTable, Refusal, useLoaded } from '../ui.js';

/** Who holds a locker, the classes and the groups, as the school's directory says: read only. */
export const Directory = ({ api }: { api: LockerClient }) => {
  const { data, error } = useLoaded(() => api.GET('/v1/directory'));
  const groups = new Map<string, string[]>();
  for (const u of data?.users ?? []) for (const g of (u as { groups?: string[] }).groups ?? []) groups.set(g, [...(groups.get(g) ?? []), u.id]);
  return (
    <section aria-labelledby="directory-title">
      <h2 id="directory-title">{t.directory}</h2>
      <Refusal message={error} />
      {data && (
        <>
          <DataTable
            caption={t.users}
            rows={data.users}
            rowKey={(u) => u.id}
            columns={[
              { label: t.userId, cell: (u) => u.id },
              { label: t.name, cell: (u) => u.displayName },
              { label: t.kind, cell: (u) => u.kind },
              // Staff hold lockers; students never do.
              { label: t.locker, cell: (u) => (u.kind === 'student' ? t.no : t.yes) },
              { label: t.profiles, cell: (u) => u.profiles.map((id) => data.profiles.find((p) => p.id === id)?.name ?? id).join(', ') },
            ]}
          />
          <DataTable caption={t.classes} rows={data.classes} rowKey={(c) => c.id} columns={[{ label: t.name, cell: (c) => c.name }, { label: t.teachers, cell: (c) => c.teacherIds.join(', ') }]} />
          <DataTable caption={t.groups} rows={[...groups]} rowKey={([g]) => g} columns={[{ label: t.name, cell: ([g]) => g }, { label: t.members, cell: ([, m]) => m.join(', ') }]} />
        </>
      )}
    </section>
  );
};

/** The categories with their retention, and the school's settings. */
export const CategoriesAndSettings = ({ api }: { api: LockerClient }) => {
  const categories = useLoaded(() => api.GET('/v1/categories'));
  const settings = useLoaded(() => api.GET('/v1/settings'));
  const s = settings.data;
  return (
    <section aria-labelledby="categories-title">
      <h2 id="categories-title">{t.categoriesPage}</h2>
      <Refusal message={categories.error ?? settings.error} />
      {categories.data && (
        <DataTable
          caption={t.categoriesPage}
          rows={categories.data.items}
          rowKey={(c) => c.id}
          columns={[
            { label: t.designation, cell: (c) => c.designation },
            { label: t.retention, cell: (c) => (c.retention ? t.days(c.retention.days) : t.forever) },
            { label: t.retired, cell: (c) => (c.retired ? t.yes : t.no) },
          ]}
        />
      )}
      {s && (
        <>
          <h2>{t.settings}</h2>
          <dl class="facts">
            <dt>{t.currentYear}</dt>
            <dd>{s.currentYear}</dd>
            <dt>{t.maxSize}</dt>
            <dd>{(s.maxDocumentBytes / 1024 / 1024).toFixed(0)} MiB</dd>
            <dt>{t.mail}</dt>
            <dd>{s.notifications.email ? t.yes : t.no}</dd>
            <dt>{t.quietHours}</dt>
            <dd>{s.notifications.quietHours ? `${s.notifications.quietHours.start}–${s.notifications.quietHours.end}` : t.none}</dd>
          </dl>
        </>
      )}
    </section>
  );
};

type Delivery = { eventId: string; type: string; status: string; attempts: number; lastError: string | null };

/** What needs an admin's eye: mails waiting or failed, webhook deliveries and their last error, quarantined files, erasures. */
export const Health = ({ api }: { api: LockerClient }) => {
  const outbox = useLoaded(() => api.GET('/v1/admin/outbox'));
  const hooks = useLoaded(() => api.GET('/v1/webhooks'));
  const quarantine = useLoaded(() => api.GET('/v1/admin/quarantine'));
  const erasures = useLoaded(() => api.GET('/v1/erasures'));
  const [deliveries, setDeliveries] = useState<Record<string, Delivery | undefined>>({});
  useEffect(() => {
    for (const hook of hooks.data?.items ?? [])
      void api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: hook.id } } }).then((a) => setDeliveries((d) => ({ ...d, [hook.id]: a.data?.items.find((i) => i.lastError) ?? a.data?.items[0] })));
  }, [hooks.data]);
  const counts = outbox.data?.counts;
  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">{t.health}</h2>
      <Refusal message={outbox.error ?? hooks.error ?? quarantine.error ?? erasures.error} />
      {counts && (
        <>
          <h3>{t.outbox}</h3>
          <dl class="facts">
            <dt>{t.pending}</dt>
            <dd>{counts.pending}</dd>
            <dt>{t.held}</dt>
            <dd>{counts.held}</dd>
            <dt>{t.failed}</dt>
            <dd>{counts.failed}</dd>
            <dt>{t.sent}</dt>
            <dd>{counts.sent}</dd>
          </dl>
        </>
      )}
      {hooks.data && (
        <DataTable
          caption={t.webhooks}
          rows={hooks.data.items}
          rowKey={(h) => h.id}
          columns={[
            { label: t.endpoint, cell: (h) => h.url },
            { label: t.active, cell: (h) => (h.active ? t.yes : t.no) },
            { label: t.status, cell: (h) => deliveries[h.id]?.status ?? t.none },
            { label: t.lastError, cell: (h) => deliveries[h.id]?.lastError ?? t.none },
          ]}
        />
      )}
      {quarantine.data && (
        <DataTable
          caption={t.quarantine}
          rows={quarantine.data.items}
          rowKey={(q) => `${q.documentId}/${q.version}`}
          columns={[
            { label: t.document, cell: (q) => `${q.title} (${q.fileName})` },
            { label: t.version, cell: (q) => q.version },
            { label: t.signature, cell: (q) => q.signature },
            { label: t.when, cell: (q) => formatTime(q.at) },
          ]}
        />
      )}
      {erasures.data && (
        <DataTable
          caption={t.erasures}
          rows={erasures.data.items}
          rowKey={(e) => e.userId}
          columns={[
            { label: t.person, cell: (e) => e.userId },
            { label: t.when, cell: (e) => formatTime(e.at) },
            { label: t.who, cell: (e) => e.actorId },
            { label: t.reason, cell: (e) => e.reason },
          ]}
        />
      )}
    </section>
  );
};
