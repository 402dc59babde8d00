import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { lockerDecider, type CloudService } from '../../domain/index.js';
import { fromResult, lockerHolder } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';
import { fromCredentials } from '../credentials.js';
import type { CloudAccount, CloudEntry } from '../ports/cloud-drive.js';
import type { IncomingFile } from '../incoming-file.js';

export type LinkedCloud = { cloudId: string; name: string; kind: 'webdav'; username: string; linkedAt: string };
export type CloudSourceRequest = { readonly cloudId: string; readonly path: string };

/** People link accounts on their own tenant's clouds, and deposit from them. */
export const clouds = (deps: Deps) => {
  const serviceOf = (tenant: string, cloudId: string): CloudService | undefined => deps.readModels.settings(tenant).clouds.find((c) => c.id === cloudId);

  /** The person's account on one of the tenant's clouds, credentials unsealed: never leaves this module but to the drive. */
  const accountOf = (actor: Actor, cloudId: string): ResultAsync<CloudAccount, UseCaseError> => {
    const service = serviceOf(actor.tenant, cloudId);
    if (!service || !deps.credentials) return errAsync({ code: 'CLOUD_NOT_LINKED', cloudId });
    return fromCredentials(deps.credentials.get(actor.tenant, actor.userId, cloudId)).andThen((credentials) =>
      credentials ? okAsync({ url: service.url, ...credentials }) : errAsync<CloudAccount, UseCaseError>({ code: 'CLOUD_NOT_LINKED', cloudId }),
    );
  };

  const mine = (actor: Actor): ResultAsync<LinkedCloud[], UseCaseError> =>
    (deps.credentials ? fromCredentials(deps.credentials.list(actor.tenant, actor.userId)) : okAsync([])).map((links) =>
      links.flatMap((l) => {
        const service = serviceOf(actor.tenant, l.cloudId);
        return service ? [{ cloudId: l.cloudId, name: service.name, kind: service.kind, username: l.username, linkedAt: l.linkedAt }] : [];
      }),
    );

  const lockerEvent = (actor: Actor, type: 'LinkCloud' | 'UnlinkCloud', cloudId: string) =>
    handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, actor.userId), { type, actorId: actor.userId, at: deps.clock.now(), cloudId });

  /** A file of the person's account as an upload: the blob store holds it to the limit as it streams. */
  const fileFrom = (actor: Actor, source: CloudSourceRequest): ResultAsync<{ file: IncomingFile; etag: string | null; path: string }, UseCaseError> =>
    accountOf(actor, source.cloudId).andThen((account) =>
      deps.clouds.open(account, source.path).map((f) => ({
        file: { fileName: f.fileName, mediaType: f.mediaType, content: f.content, truncated: () => false },
        etag: f.etag,
        path: source.path,
      })),
    );

  return {
    /** Checked at once against the server: wrong credentials are a 422, an unreachable server a 502. */
    link: (actor: Actor, input: { cloudId: string; username: string; password: string }): ResultAsync<LinkedCloud, UseCaseError> =>
      fromResult(lockerHolder(deps, actor)).andThen(() => {
        const service = serviceOf(actor.tenant, input.cloudId);
        if (!service || !deps.credentials) return errAsync<LinkedCloud, UseCaseError>(notFound('cloud'));
        const store = deps.credentials;
        return deps.clouds
          .check({ url: service.url, username: input.username, password: input.password })
          .andThen(() => fromCredentials(store.put(actor.tenant, actor.userId, input.cloudId, { username: input.username, password: input.password }, deps.clock.now())))
          .andThen(() => lockerEvent(actor, 'LinkCloud', input.cloudId))
          .andThen(() => mine(actor))
          .andThen((linked) => {
            const found = linked.find((l) => l.cloudId === input.cloudId);
            return found ? okAsync(found) : errAsync<LinkedCloud, UseCaseError>(notFound('cloud'));
          });
      }),
    list: (actor: Actor): ResultAsync<LinkedCloud[], UseCaseError> => fromResult(lockerHolder(deps, actor)).andThen(() => mine(actor)),
    browse: (actor: Actor, cloudId: string, path: string): ResultAsync<CloudEntry[], UseCaseError> =>
      fromResult(lockerHolder(deps, actor))
        .andThen(() => accountOf(actor, cloudId))
        .andThen((account) => deps.clouds.list(account, path)),
    /** The credentials are destroyed; the unlinking is recorded. */
    unlink: (actor: Actor, cloudId: string): ResultAsync<null, UseCaseError> =>
      fromResult(lockerHolder(deps, actor))
        .andThen(() => (deps.credentials ? fromCredentials(deps.credentials.delete(actor.tenant, actor.userId, cloudId)) : okAsync(false)))
        .andThen((gone) => (gone ? lockerEvent(actor, 'UnlinkCloud', cloudId).map(() => null) : errAsync<null, UseCaseError>({ code: 'CLOUD_NOT_LINKED', cloudId }))),
    fileFrom,
  };
};
