import { ok } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/** Which way the file came in. */
export type UploadPath = 'deposit' | 'version' | 'cloud' | 'submission';

/**
 * An upload the virus scanner found infected and that was refused, kept nothing of: who tried,
 * which file, what it held, when (the event's time), which way. For auditors and admins.
 */
export type ScanEvent = DomainEvent<'InfectedUploadRefused', { uploadId: string; userId: string; fileName: string; signature: string; via: UploadPath }>;

export type ScanCommand = { readonly type: 'RecordInfectedUpload'; readonly uploadId: string; readonly fileName: string; readonly signature: string; readonly via: UploadPath } & CommandContext;

/** The refused uploads already recorded: a retried record adds nothing. */
export type ScanRecords = ReadonlySet<string>;

export const scanDecider: Decider<ScanCommand, ScanRecords, ScanEvent, never> = {
  initialState: new Set(),
  evolve: (recorded, event) => new Set([...recorded, event.data.uploadId]),
  decide: (recorded, cmd) =>
    ok(
      recorded.has(cmd.uploadId)
        ? []
        : [{ type: 'InfectedUploadRefused', data: { uploadId: cmd.uploadId, userId: cmd.actorId, fileName: cmd.fileName, signature: cmd.signature, via: cmd.via }, actor: cmd.actorId, at: cmd.at }],
    ),
};
