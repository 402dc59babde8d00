import { describe, it } from 'vitest';
import { scanDecider, type ScanEvent } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const record = { type: 'RecordInfectedUpload' as const, actorId: 'anne', at: AT, uploadId: 'u-1', fileName: 'invoice.pdf', signature: 'Eicar-Test-Signature', via: 'deposit' as const };
const refused: ScanEvent = { type: 'InfectedUploadRefused', data: { uploadId: 'u-1', userId: 'anne', fileName: 'invoice.pdf', signature: 'Eicar-Test-Signature', via: 'deposit' }, actor: 'anne', at: AT };

describe('an infected upload, recorded', () => {
  it('says who tried, which file, what it held and which way it came', () => {
    given(scanDecider, []).when(record).then([refused]);
  });

  it('is recorded once, however often the record is retried', () => {
    given(scanDecider, [refused]).when(record).then([]);
    given(scanDecider, [refused]).when({ ...record, uploadId: 'u-2', via: 'version' }).then([{ ...refused, data: { ...refused.data, uploadId: 'u-2', via: 'version' } }]);
  });
});
