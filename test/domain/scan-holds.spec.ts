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
