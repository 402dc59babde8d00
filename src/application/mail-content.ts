import type { Locale } from '../domain/index.js';
import type { NotificationView } from './ports/read-models.js';

/** What one mail says about one notification: names and titles as the read models have them. */
export type MailFact = {
  readonly kind: NotificationView['kind'];
  readonly documentId: string;
  readonly title: string;
  readonly actorName: string;
  readonly category: string;
  readonly memo: string | null;
};

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Header fields are one line: a title with a line break must not add a header. */
const oneLine = (text: string): string => text.replace(/[\r\n\t]+/g, ' ').trim();

const WORDS = {
  fr: {
    deposited: (f: MailFact) => `${f.actorName} a déposé « ${f.title} » dans votre casier`,
    updated: (f: MailFact) => `${f.actorName} a mis à jour « ${f.title} »`,
    'recipient-added': (f: MailFact) => `${f.actorName} vous a ajouté·e aux destinataires de « ${f.title} »`,
    reminder: (f: MailFact) => `Rappel de ${f.actorName} : « ${f.title} » vous attend`,
    'collection-requested': (f: MailFact) => `${f.actorName} vous demande un document : « ${f.title} »`,
    'acknowledgement-asked': (f: MailFact) => `${f.actorName} vous demande d’accuser réception de « ${f.title} »`,
    'webhook-disabled': (f: MailFact) => `Webhook désactivé après 3 jours d’échecs : ${f.title}`,
    'infected-upload': (f: MailFact) => `Fichier infecté refusé : ${f.title}`,
    quarantined: (f: MailFact) => `Document mis en quarantaine (infecté) : ${f.title}`,
    'collection-reminder': (f: MailFact) => `Rappel de ${f.actorName} : le document « ${f.title} » est attendu`,
    // French typography puts a space before the colon.
    sep: ' : ',
    category: 'Catégorie',
    memo: 'Mémo',
    open: 'Ouvrir le document',
    digest: (n: number) => `${n} nouveautés dans votre casier numérique`,
    footer: 'Le document n’est jamais joint à ce message : ouvrez-le dans votre casier numérique.',
  },
  en: {
    deposited: (f: MailFact) => `${f.actorName} deposited “${f.title}” in your locker`,
    updated: (f: MailFact) => `${f.actorName} updated “${f.title}”`,
    'recipient-added': (f: MailFact) => `${f.actorName} added you to the recipients of “${f.title}”`,
    reminder: (f: MailFact) => `Reminder from ${f.actorName}: “${f.title}” is waiting for you`,
    'collection-requested': (f: MailFact) => `${f.actorName} asks you for a document: “${f.title}”`,
    'acknowledgement-asked': (f: MailFact) => `${f.actorName} asks you to acknowledge “${f.title}”`,
    'webhook-disabled': (f: MailFact) => `Webhook disabled after 3 days of failures: ${f.title}`,
    'infected-upload': (f: MailFact) => `Infected file refused: ${f.title}`,
    quarantined: (f: MailFact) => `Document quarantined (infected): ${f.title}`,
    'collection-reminder': (f: MailFact) => `Reminder from ${f.actorName}: the document “${f.title}” is expected`,
    sep: ': ',
    category: 'Category',
    memo: 'Memo',
    open: 'Open the document',
    digest: (n: number) => `${n} new items in your digital locker`,
    footer: 'The document is never attached to this message: open it in your digital locker.',
  },
} as const;

/** Collection requests live under their own path; everything else is a document. */
const linkOf = (publicUrl: string, f: MailFact) =>
  f.kind === 'infected-upload'
    ? `${publicUrl.replace(/\/+$/, '')}/v1/audit/events?type=InfectedUploadRefused`
    : `${publicUrl.replace(/\/+$/, '')}/v1/${f.kind.startsWith('collection-') ? 'collections' : f.kind === 'webhook-disabled' ? 'webhooks' : 'documents'}/${encodeURIComponent(f.documentId)}${f.kind === 'webhook-disabled' ? '/deliveries' : ''}`;

/**
 * The mail for one or several notifications of one person (several: the digest sent when quiet
 * hours end), in the tenant's language, as plain text and HTML. It says who did what, in which
 * category, the memo, and links to the document; it never carries the document itself.
 */
export const composeMail = (facts: readonly MailFact[], locale: Locale, publicUrl: string): { subject: string; text: string; html: string } => {
  const w = WORDS[locale];
  const subject = oneLine(facts.length === 1 ? w[facts[0]!.kind](facts[0]!) : w.digest(facts.length));
  const text = [
    ...facts.flatMap((f) => [
      w[f.kind](f),
      `${w.category}${w.sep}${f.category}`,
      ...(f.memo ? [`${w.memo}${w.sep}${f.memo}`] : []),
      `${w.open}${w.sep}${linkOf(publicUrl, f)}`,
      '',
    ]),
    w.footer,
  ].join('\n');
  const html = [
    `<!doctype html><html lang="${locale}"><body>`,
    ...facts.map(
      (f) =>
        `<p><strong>${escape(w[f.kind](f))}</strong><br>${escape(w.category)}${escape(w.sep)}${escape(f.category)}` +
        (f.memo ? `<br>${escape(w.memo)}${escape(w.sep)}${escape(f.memo)}` : '') +
        `<br><a href="${escape(linkOf(publicUrl, f))}">${escape(w.open)}</a></p>`,
    ),
    `<p><small>${escape(w.footer)}</small></p></body></html>`,
  ].join('\n');
  return { subject, text, html };
};
