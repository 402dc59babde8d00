import { describe, expect, it } from 'vitest';
import { composeMail, type MailFact } from '../../src/application/mail-content.js';

const fact = (over: Partial<MailFact> = {}): MailFact => ({
  kind: 'deposited',
  documentId: 'd/1',
  title: 'Minutes',
  actorName: 'Anne Martin',
  category: 'Council',
  memo: null,
  ...over,
});

describe('composeMail: the words, links and escaping of a notification mail', () => {
  it('one notification: a one-line subject, the memo, a link under the public URL, escaped HTML', () => {
    const mail = composeMail([fact({ title: 'Q&A <b>\n\t"draft" \'1\'', memo: 'Read <this> & sign' })], 'en', 'https://locker.example//');
    expect(mail.subject).toBe('Anne Martin deposited “Q&A <b> "draft" \'1\'” in your locker');
    expect(mail.text).toBe(
      [
        'Anne Martin deposited “Q&A <b>\n\t"draft" \'1\'” in your locker',
        'Category: Council',
        'Memo: Read <this> & sign',
        'Open the document: https://locker.example/v1/documents/d%2F1',
        '',
        'The document is never attached to this message: open it in your digital locker.',
      ].join('\n'),
    );
    expect(mail.html).toBe(
      [
        '<!doctype html><html lang="en"><body>',
        '<p><strong>Anne Martin deposited “Q&amp;A &lt;b&gt;\n\t&quot;draft&quot; &#39;1&#39;” in your locker</strong><br>Category: Council' +
          '<br>Memo: Read &lt;this&gt; &amp; sign<br><a href="https://locker.example/v1/documents/d%2F1">Open the document</a></p>',
        '<p><small>The document is never attached to this message: open it in your digital locker.</small></p></body></html>',
      ].join('\n'),
    );
  });

  it('a digest: counted in the subject, one paragraph each, collections and webhooks under their own paths', () => {
    const facts = [
      fact({ kind: 'collection-requested', documentId: 'c1', title: 'Permission slips' }),
      fact({ kind: 'webhook-disabled', documentId: 'w1', title: 'https://hooks.example' }),
      fact({ kind: 'updated', documentId: 'd2', memo: 'v2' }),
    ];
    const mail = composeMail(facts, 'fr', 'https://casier.example');
    expect(mail.subject).toBe('3 nouveautés dans votre casier numérique');
    expect(mail.text).toBe(
      [
        'Anne Martin vous demande un document : « Permission slips »',
        'Catégorie : Council',
        'Ouvrir le document : https://casier.example/v1/collections/c1',
        '',
        'Webhook désactivé après 3 jours d’échecs : https://hooks.example',
        'Catégorie : Council',
        'Ouvrir le document : https://casier.example/v1/webhooks/w1/deliveries',
        '',
        'Anne Martin a mis à jour « Minutes »',
        'Catégorie : Council',
        'Mémo : v2',
        'Ouvrir le document : https://casier.example/v1/documents/d2',
        '',
        'Le document n’est jamais joint à ce message : ouvrez-le dans votre casier numérique.',
      ].join('\n'),
    );
    const paragraphs = mail.html.split('\n');
    expect(paragraphs[0]).toBe('<!doctype html><html lang="fr"><body>');
    expect(paragraphs).toHaveLength(5);
    expect(paragraphs[1]).toBe(
      '<p><strong>Anne Martin vous demande un document : « Permission slips »</strong><br>Catégorie : Council<br><a href="https://casier.example/v1/collections/c1">Ouvrir le document</a></p>',
    );
    expect(paragraphs[2]).toContain('href="https://casier.example/v1/webhooks/w1/deliveries"');
    expect(paragraphs[3]).toContain('<br>Mémo : v2<br>');
    expect(paragraphs[4]).toBe('<p><small>Le document n’est jamais joint à ce message : ouvrez-le dans votre casier numérique.</small></p></body></html>');
  });

  it('an infected upload links to the refusals in the history, under a public URL with or without its trailing slashes', () => {
    for (const url of ['https://x.example', 'https://x.example///']) {
      const mail = composeMail([fact({ kind: 'infected-upload', documentId: 'u1', title: 'EICAR in report.pdf' })], 'en', url);
      expect(mail.subject).toBe('Infected file refused: EICAR in report.pdf');
      expect(mail.text).toContain('Open the document: https://x.example/v1/audit/events?type=InfectedUploadRefused\n');
      expect(mail.html).toContain('href="https://x.example/v1/audit/events?type=InfectedUploadRefused"');
    }
  });

  it('a subject is one line with no space at either end, whatever the title holds', () => {
    expect(composeMail([fact({ kind: 'webhook-disabled', title: 'https://hooks.example\r\n' })], 'en', 'http://x').subject).toBe('Webhook disabled after 3 days of failures: https://hooks.example');
    expect(composeMail([fact({ kind: 'quarantined', title: 'minutes\t' })], 'fr', 'http://x').subject).toBe('Document mis en quarantaine (infecté) : minutes');
  });

  it('a collection reminder links to the collection; a plain reminder, to the document', () => {
    const mail = composeMail([fact({ kind: 'collection-reminder', documentId: 'c9' }), fact({ kind: 'reminder', documentId: 'd9' })], 'en', 'http://x');
    expect(mail.text).toContain('Reminder from Anne Martin: the document “Minutes” is expected\nCategory: Council\nOpen the document: http://x/v1/collections/c9\n');
    expect(mail.text).toContain('Reminder from Anne Martin: “Minutes” is waiting for you\nCategory: Council\nOpen the document: http://x/v1/documents/d9\n');
  });
});
