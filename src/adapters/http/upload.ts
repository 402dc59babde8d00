import type { Multipart, MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { UseCaseError } from '../../application/errors.js';
import { z } from 'zod';
import type { IncomingFile, Upload } from '../../application/incoming-file.js';
import type { DepositMeta } from '../../application/use-cases/deposit-document.js';
import { safeFileName, safeMediaType } from './file-name.js';
import { badRequest } from './reply.js';
import { depositMetaSchema } from './schemas.js';

/**
 * How slow an upload may be before it is cut (idle for this long, or slower than this on average),
 * and how many may run at once in this process.
 */
export type UploadLimits = { readonly idleTimeoutMs: number; readonly minBytesPerSecond: number; readonly slots?: UploadSlots };

/**
 * Uploads in flight, bounded: each holds buffers (on S3 a few 8 MiB parts), so past the bound a new
 * one is answered 503 with Retry-After before its body is read, rather than let memory grow with
 * the number of clients (issue 31).
 */
export type UploadSlots = { take(): boolean; release(): void; readonly inUse: number; readonly max: number };
export const uploadSlots = (max: number): UploadSlots => {
  let inUse = 0;
  return {
    take: () => (inUse < max ? ((inUse += 1), true) : false),
    release: () => void (inUse = Math.max(0, inUse - 1)),
    get inUse() {
      return inUse;
    },
    max,
  };
};
/** What a client refused for lack of a slot is told to wait. */
const RETRY_UPLOAD_AFTER_SECONDS = 5;

/** Room for the multipart framing and the meta part around the file itself. */
export const MULTIPART_OVERHEAD = 256 * 1024;

/** The most a `meta` part sent as a file (a Blob) may hold: the same as a field's. */
const META_BYTES = 64 * 1024;

/** How many `file` parts one deposit may carry (DESIGN §11): each becomes its own document. */
export const MAX_FILES_PER_DEPOSIT = 20;

type Parts = AsyncIterator<Multipart>;

/**
 * One upload request's body, watched as it arrives. The refusals it can make on its own (too
 * slow, a second file) are kept here and handed to the use case, which asks after a failed stage.
 */
export const uploadBody = (req: FastifyRequest, maxFileBytes: number, limits: UploadLimits) => {
  // One byte over the limit reaches the blob store, which refuses at once: the parser's own limit
  // would instead truncate silently and read the rest of the body before anyone noticed.
  const parts: Parts = req.parts({
    limits: { fileSize: maxFileBytes + 1, files: MAX_FILES_PER_DEPOSIT + 1, fields: 4, fieldSize: 64 * 1024, parts: MAX_FILES_PER_DEPOSIT + 5 },
  })[Symbol.asyncIterator]();
  let refusal: UseCaseError | undefined;
  let current: MultipartFile | undefined;
  let seen = 0;
  let stall: (e: UseCaseError) => void = () => undefined;
  const stalled = new Promise<UseCaseError>((resolve) => (stall = resolve));
  const cut = (reason: UseCaseError) => {
    if (refusal) return;
    refusal = reason;
    stall(reason);
    current?.file.destroy(new Error(reason.code));
  };
  const stop = watch(req.raw, limits, cut);
  const slot = limits.slots ? limits.slots.take() : true;
  const busy: UseCaseError | undefined = slot ? undefined : { code: 'TOO_MANY_UPLOADS', retryAfterSeconds: RETRY_UPLOAD_AFTER_SECONDS };
  let released = !limits.slots || !slot;

  /** The next part, unless the body stalls first. */
  const next = async (): Promise<Multipart | undefined | UseCaseError> => {
    if (busy) return busy;
    try {
      const r = await Promise.race([parts.next(), stalled]);
      if ('code' in r) return r;
      return r.done ? undefined : r.value;
    } catch (e) {
      return { code: 'INVALID_INPUT', detail: `malformed multipart body: ${(e as Error).message}` };
    }
  };

  const fileOf = (part: MultipartFile, alone: boolean): IncomingFile => {
    current = part;
    return {
      fileName: safeFileName(part.filename),
      mediaType: safeMediaType(part.mimetype),
      content: (async function* () {
        for await (const chunk of part.file) yield chunk as Uint8Array;
        if (!alone) return;
        // The file is complete only if nothing follows it: a second file would otherwise be lost.
        const after = await next();
        if (after !== undefined) {
          cut('code' in after ? after : { code: 'TOO_MANY_FILES', detail: 'a new version carries one part named file' });
          throw new Error('more than the file');
        }
      })(),
      truncated: () => part.file.truncated,
      refusal: () => refusal,
    };
  };

  return {
    /**
     * The `meta` part: a JSON text, however the client sent it. As text; typed application/json,
     * which @fastify/multipart has already parsed into an object (what Swagger UI, generated
     * clients and `curl -F "meta=…;type=application/json"` send); or as a Blob, which arrives as a
     * file part (read whole, at most 64 KiB).
     */
    async meta(): Promise<string | UseCaseError> {
      const part = await next();
      if (part && 'code' in part) return part;
      if (!part || part.fieldname !== 'meta') return { code: 'INVALID_INPUT', detail: 'expected a first part named meta holding JSON' };
      if (part.type === 'file') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of (part as MultipartFile).file) {
          size += (chunk as Buffer).length;
          if (size > META_BYTES) return { code: 'INVALID_INPUT', detail: `the meta part holds more than ${META_BYTES} bytes` };
          chunks.push(chunk as Buffer);
        }
        return Buffer.concat(chunks).toString('utf8');
      }
      const value = (part as MultipartValue).value;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
    /** The one `file` part, streamed: nothing is read until the use case reads it. */
    async file(): Promise<IncomingFile | UseCaseError> {
      const part = await next();
      if (part && 'code' in part) return part;
      if (!part || part.type !== 'file' || part.fieldname !== 'file') return { code: 'INVALID_INPUT', detail: 'expected a part named file holding the document' };
      return fileOf(part as MultipartFile, true);
    },
    /**
     * The next of one or more `file` parts, each streamed in turn (undefined once the body ends):
     * the caller reads each file whole before asking for the next, as multipart is sequential.
     */
    async nextFile(): Promise<IncomingFile | UseCaseError | undefined> {
      const part = await next();
      if (part === undefined) return seen === 0 ? { code: 'INVALID_INPUT', detail: 'expected a part named file holding the document' } : undefined;
      if ('code' in part) return part;
      if (part.type !== 'file' || part.fieldname !== 'file') return { code: 'INVALID_INPUT', detail: 'expected only parts named file after meta' };
      if (++seen > MAX_FILES_PER_DEPOSIT) return { code: 'TOO_MANY_FILES', detail: `a deposit carries at most ${MAX_FILES_PER_DEPOSIT} parts named file` };
      return fileOf(part as MultipartFile, false);
    },
    done: () => {
      stop();
      if (!released) {
        released = true;
        limits.slots!.release();
      }
    },
  };
};

/**
 * Cuts a body that stops arriving (no byte for `idleTimeoutMs`) or trickles (less than
 * `minBytesPerSecond` on average once a first idle window has passed): each such upload would
 * otherwise hold a staging file and a socket for as long as the request timeout.
 */
const watch = (raw: IncomingMessage, limits: UploadLimits, cut: (e: UseCaseError) => void) => {
  const started = Date.now();
  let received = 0;
  const tooSlow = (): UseCaseError => ({ code: 'UPLOAD_TOO_SLOW', detail: `the upload sent no byte for ${limits.idleTimeoutMs} ms, or less than ${limits.minBytesPerSecond} bytes/s` });
  let idle = setTimeout(() => cut(tooSlow()), limits.idleTimeoutMs);
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    clearTimeout(idle);
    idle = setTimeout(() => cut(tooSlow()), limits.idleTimeoutMs);
    const elapsed = Date.now() - started;
    if (limits.minBytesPerSecond > 0 && elapsed > limits.idleTimeoutMs && (received * 1000) / elapsed < limits.minBytesPerSecond) cut(tooSlow());
  };
  const stop = () => {
    clearTimeout(idle);
    raw.off('data', onData);
    raw.off('end', stop);
    raw.off('close', stop);
  };
  raw.on('data', onData);
  raw.once('end', stop);
  raw.once('close', stop);
  return stop;
};

/** After a refusal sent before the body was read: how much of the rest is read (and dropped) so the client can read the answer. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * A client still sending its body when the answer comes (a 403 before the upload, a 413 on a
 * declared length) would see its connection reset, and Node's fetch reports EPIPE instead of our
 * answer. So the rest of the body is read and dropped, up to a bound; past it, the connection is
 * closed, which a client sending that much must expect.
 */
export const drainAfterAnswer = (raw: IncomingMessage): void => {
  if (raw.complete || raw.destroyed) return;
  raw.unpipe();
  let drained = 0;
  const close = () => raw.socket?.destroy();
  const timer = setTimeout(close, DRAIN_MS);
  raw.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) {
      clearTimeout(timer);
      close();
    }
  });
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
};

/**
 * An upload request as the use cases read it (application/incoming-file.ts): multipart, opened
 * once they know the limit, with `files` file parts at most. A declared length over the limit is
 * refused before a byte of the body is read; the meta part is parsed and checked here, at the edge.
 * `done` ends the watch on the body and frees its slot, whatever happened.
 */
export const httpUpload = (req: FastifyRequest, limits: UploadLimits, files = 1): Upload<DepositMeta> & { done: () => void } => {
  let body: ReturnType<typeof uploadBody> | undefined;
  const opened = () => {
    if (!body) throw new Error('an upload read before it was opened');
    return body;
  };
  return {
    open: (max) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > max * files + MULTIPART_OVERHEAD) return { code: 'FILE_TOO_LARGE', maxDocumentBytes: max };
      body = uploadBody(req, max, limits);
      return undefined;
    },
    meta: async () => {
      const text = await opened().meta();
      if (isError(text)) return text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { code: 'INVALID_INPUT', detail: 'the meta part is not valid JSON' };
      }
      const meta = depositMetaSchema.safeParse(json);
      return meta.success ? meta.data : { code: 'INVALID_INPUT', detail: `meta: ${z.prettifyError(meta.error).replace(/\n/g, ' ')}` };
    },
    nextFile: () => opened().nextFile(),
    file: () => opened().file(),
    done: () => body?.done(),
  };
};

export const requireMultipart = (req: FastifyRequest, reply: FastifyReply) => {
  if (req.isMultipart()) return true;
  void badRequest(reply, 'expected multipart/form-data');
  return false;
};

export const isError = (value: unknown): value is UseCaseError => typeof value === 'object' && value !== null && 'code' in value;
