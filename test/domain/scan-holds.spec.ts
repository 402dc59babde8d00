import { describe, expect, it } from 'vitest';
import { documentDecider, type DocumentCommand, type DocumentEvent } from '../../src/domain/index.js';
import { AT, deposited, directory, file, given } from './given.js';

// A version accepted while the virus scanner could not tell is held from readers until a scan
// clears it; one found infected (then, or when signatures change) is quarantined for good.

const document = (history: DocumentEvent[]) => given(documentDecider, history);
const pending = (over: Partial<{ recipients: string[] }> = {}): DocumentEvent => {
  const d = deposited(over);
  return { ...d, data: { ...(d.data as object), content: { ...file(), version: 1, scan: 'pending' } } } as DocumentEvent;
};
const scan = (version: number, verdict: { infected: false } | { infected: true; signature: string }): DocumentCommand => ({ type: 'RecordScan', actorId: 'system:scanner', at: AT, documentId: 'doc-1', version, verdict });
const consult = (actorId: string, version?: number): DocumentCommand => ({ type: 'Consult', actorId, at: AT, documentId: 'doc-1', version });
const cleared: DocumentEvent = { type: 'ContentCleared', data: { documentId: 'doc-1', version: 1 }, actor: 'system:scanner', at: AT };
const quarantined = (version = 1): DocumentEvent => ({ type: 'ContentQuarantined', data: { documentId: 'doc-1', version, signature: 'Eicar-Test-Signature' }, actor: 'system:scanner', at: AT });

describe('a version not scanned yet', () => {
  it('is held from its recipients and its depositor alike', () => {
    document([pending()]).when(consult('marc')).thenError('SCAN_PENDING', { documentId: 'doc-1', version: 1 });
    document([pending()]).when(consult('anne')).thenError('SCAN_PENDING', { documentId: 'doc-1', version: 1 });
  });

  it('clean, is cleared once and read as any other', () => {
    const state = document([pending()]).when(scan(1, { infected: false })).then([cleared]);
    expect(state.status === 'live' && state.scanHolds.size).toBe(0);
    document([pending(), cleared]).when(scan(1, { infected: false })).then([]);
    document([pending(), cleared]).when(consult('marc')).then([{ type: 'DocumentConsulted', data: { documentId: 'doc-1', userId: 'marc', version: 1 }, actor: 'marc', at: AT }]);
  });

  it('infected, is quarantined once, and nobody downloads it', () => {
    document([pending()]).when(scan(1, { infected: true, signature: 'Eicar-Test-Signature' })).then([quarantined()]);
    document([pending(), quarantined()]).when(scan(1, { infected: true, signature: 'Eicar-Test-Signature' })).then([]);
    document([pending(), quarantined()]).when(consult('marc')).thenError('QUARANTINED', { documentId: 'doc-1', version: 1, signature: 'Eicar-Test-Signature' });
    document([pending(), quarantined()]).when(consult('anne')).thenError('QUARANTINED');
  });
});

describe('a stored version scanned again, when signatures change', () => {
  it('clean: nothing is recorded; found infected: quarantined, and only that version', () => {
    const updated: DocumentEvent = { type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 } }, actor: 'anne', at: AT };
    document([deposited()]).when(scan(1, { infected: false })).then([]);
    document([deposited(), updated]).when(scan(1, { infected: true, signature: 'Eicar-Test-Signature' })).then([quarantined(1)]);
    document([deposited(), updated, quarantined(1)]).when(consult('marc', 1)).thenError('QUARANTINED');
    document([deposited(), updated, quarantined(1)]).when(consult('marc', 2)).then([{ type: 'DocumentConsulted', data: { documentId: 'doc-1', userId: 'marc', version: 2 }, actor: 'marc', at: AT }]);
  });

  it('of a version that does not exist, or a document that does not, is refused; a deleted document is left as it is', () => {
    document([deposited()]).when(scan(3, { infected: false })).thenError('VERSION_NOT_FOUND', { documentId: 'doc-1', version: 3 });
    document([]).when(scan(1, { infected: false })).thenError('DOCUMENT_NOT_FOUND', { documentId: 'doc-1' });
    document([deposited(), { type: 'DocumentDeletedForAll', data: { documentId: 'doc-1' }, actor: 'anne', at: AT }]).when(scan(1, { infected: true, signature: 'X' })).then([]);
  });
});

describe('a held version carried into the next year', () => {
  it('stays held there (pending a scan): a version found infected never leaves quarantine by a rollover', () => {
    const source = document([pending(), quarantined()]).state;
    const carried = documentDecider.decide(documentDecider.initialState, { type: 'CarryOver', actorId: 'admin', at: AT, newDocumentId: 'doc-2', toYear: '2027-2028', source, directory });
    const state = carried._unsafeUnwrap().reduce(documentDecider.evolve, documentDecider.initialState);
    expect(state.status === 'live' && [...state.scanHolds]).toEqual([[1, { pending: true }]]);
    const clean = document([deposited()]).state;
    const plain = documentDecider.decide(documentDecider.initialState, { type: 'CarryOver', actorId: 'admin', at: AT, newDocumentId: 'doc-2', toYear: '2027-2028', source: clean, directory });
    expect(plain._unsafeUnwrap().reduce(documentDecider.evolve, documentDecider.initialState)).toMatchObject({ scanHolds: new Map() });
  });
});

describe('the holds a history folds to', () => {
  const updated = (version: number, scanPending = false): DocumentEvent => ({
    type: 'DocumentUpdated',
    data: { documentId: 'doc-1', content: { ...file(), version, ...(scanPending ? { scan: 'pending' as const } : {}) } },
    actor: 'anne',
    at: AT,
  });
  const holds = (history: DocumentEvent[]) => {
    const state = document(history).state;
    return state.status === 'live' ? [...state.scanHolds].map(([v, h]) => [v, 'pending' in h ? 'pending' : h.quarantined]) : undefined;
  };

  it('a new version keeps the holds of the ones before it, and adds its own', () => {
    expect(holds([pending(), updated(2)])).toEqual([[1, 'pending']]);
    expect(holds([pending(), updated(2, true)])).toEqual([[1, 'pending'], [2, 'pending']]);
  });

  it('clearing one version leaves the others held', () => {
    expect(holds([pending(), updated(2, true), { ...cleared, data: { documentId: 'doc-1', version: 2 } }])).toEqual([[1, 'pending']]);
    expect(holds([pending(), updated(2, true), quarantined(2)])).toEqual([[1, 'pending'], [2, 'Eicar-Test-Signature']]);
  });

  it('a carried document refreshed with new content keeps its holds', () => {
    const source = document([pending()]).state;
    const carried = documentDecider.decide(documentDecider.initialState, { type: 'CarryOver', actorId: 'admin', at: AT, newDocumentId: 'doc-2', toYear: '2027-2028', source, directory })._unsafeUnwrap();
    const refreshed: DocumentEvent = { type: 'CarriedDocumentRefreshed', data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', content: { ...file(), version: 2 }, recipientIds: [] }, actor: 'admin', at: AT };
    const state = document([...carried, refreshed]).state;
    expect(state.status === 'live' && [...state.scanHolds.keys()]).toEqual([1]);
  });

  it('groups added to a document are kept beside the ones it had', () => {
    const state = document([
      deposited({ groups: ['teachers'] }),
      { type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: [], named: [], classes: [], groups: ['counselors'] }, actor: 'anne', at: AT },
    ]).state;
    expect(state.status === 'live' && [...state.groups]).toEqual(['teachers', 'counselors']);
  });
});
