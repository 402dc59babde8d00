import type { BlobStore } from './ports/blob-store.js';
import type { CloudDrive } from './ports/cloud-drive.js';
import type { CredentialStore } from './ports/credential-store.js';
import type { Shredder } from './ports/key-store.js';
import type { Clock } from './ports/clock.js';
import type { EventStore } from './ports/event-store.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { CheckpointSigner, NotaryLedger } from './ports/notary.js';
import type { ReadModels } from './ports/read-models.js';
import type { Projector } from './projector.js';
import type { Streams } from './streams.js';
import type { VirusScanner } from './ports/virus-scanner.js';
import type { SnapshotStore } from './ports/snapshot-store.js';
import type { ChainVerifier } from './ports/chain-verifier.js';

/** What every use case may reach: ports only, handed in by the composition root. */
export type Deps = {
  readonly events: EventStore;
  /**
   * The same log with people's personal fields left unread (as stored, not readable): for scans
   * that look only at ids, types and years (the rollover's first pass, a dry run), which would
   * otherwise open every one of them.
   */
  readonly impersonalEvents: EventStore;
  readonly blobs: BlobStore;
  readonly readModels: ReadModels;
  readonly notary: NotaryLedger;
  readonly signer: CheckpointSigner;
  readonly projector: Projector;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly streams: Streams;
  readonly defaultMaxDocumentBytes: number;
  /** Whether mails are sent at all (an SMTP server is configured); in-app notifications always are. */
  readonly mailEnabled: boolean;
  readonly clouds: CloudDrive;
  /** Absent without LOCKER_SECRETS_KEY: then no cloud can be configured or linked. */
  readonly credentials: CredentialStore | null;
  /** Scans every file that comes in (LOCKER_CLAMD_URL); null: none configured, nothing is scanned. */
  readonly scanner: VirusScanner | null;
  /** A file the scanner cannot check now is refused (503); otherwise accepted, held from readers, and scanned later. */
  readonly scanRequired: boolean;
  /** Where copies of the read models are kept for nodes that start without them; null: none are taken. */
  readonly snapshots: SnapshotStore | null;
  /** The data keys of crypto-shredding: deleting one makes its subject's fields unreadable. */
  readonly keys: Shredder;
  /** Recomputes a school's audit chain from the log as stored: what an auditor's verification runs. */
  readonly chains: ChainVerifier;
};

/** Who is asking: authenticated by the edge, authorised here against the tenant's directory. */
export type Actor = { readonly tenant: string; readonly userId: string; readonly scopes: readonly string[] };
