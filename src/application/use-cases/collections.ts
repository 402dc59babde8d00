import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { collectionDecider, mayDeposit, type Group } from '../../domain/index.js';
import { fromResult, currentYear, lockerHolder, tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { catchUp, handle, replay } from '../handle-command.js';
import type { CollectionSummary, CollectionView, Page, PageRequest } from '../ports/read-models.js';
import { depositDocument, type CheckedDeposit, type DepositsOutcome } from './deposit-document.js';
import type { IncomingFile, Upload } from '../incoming-file.js';

export type NewCollection = {
  readonly title: string;
  readonly instructions?: string | undefined;
  readonly categoryId: string;
  readonly recipients: { readonly users: readonly string[]; readonly classes: readonly string[]; readonly groups?: readonly Group[] | undefined };
  readonly dueAt: string;
  readonly draft?: boolean | undefined;
};

const stream = (deps: Deps, actor: Actor, id: string) => deps.streams.collection(actor.tenant, id);

/** The requester sees everyone's status; an asked person, the request and their own line only. */
const viewFor = (deps: Deps, actor: Actor, id: string): ResultAsync<CollectionView, UseCaseError> => {
  const view = deps.readModels.collection(actor.tenant, id);
  if (!view) return errAsync(notFound('collection request'));
  if (view.requesterId === actor.userId) return okAsync(view);
  const mine = view.people.filter((p) => p.userId === actor.userId);
  if (view.status === 'draft' || mine.length === 0) return errAsync(notFound('collection request'));
  return okAsync({ ...view, people: mine });
};

export const collections = (deps: Deps) => {
  const command = (actor: Actor, id: string, type: 'PublishCollection' | 'CloseCollection') =>
    fromResult(lockerHolder(deps, actor))
      .andThen(() => handle(deps, collectionDecider, actor.tenant, stream(deps, actor, id), { type, actorId: actor.userId, at: deps.clock.now(), collectionId: id }))
      .andThen(() => viewFor(deps, actor, id));

  /** A submission's first step: everything refusable before the bytes (asked? still open?). */
  const check = (actor: Actor, id: string, idempotencyKey: string | undefined): ResultAsync<CheckedDeposit, UseCaseError> =>
    catchUp(deps.projector)
      .andThen(() => fromResult(lockerHolder(deps, actor)))
      .andThen(() => deps.events.readStream(stream(deps, actor, id)))
      .andThen((recorded) => {
        const state = replay(collectionDecider, recorded);
        const decided = collectionDecider.decide(state, { type: 'CheckSubmission', actorId: actor.userId, at: deps.clock.now(), collectionId: id, directory: deps.readModels.directoryView(actor.tenant) });
        if (decided.isErr()) return errAsync<CheckedDeposit, UseCaseError>(decided.error);
        if (state.status === 'none') return errAsync<CheckedDeposit, UseCaseError>(notFound('collection request'));
        return depositDocument(deps).check(
          actor,
          { recipients: { users: [state.requesterId], classes: [] }, categoryId: state.categoryId, collectionId: id },
          idempotencyKey === undefined ? undefined : `collection:${id}:${idempotencyKey}`,
        );
      });

  /** Its second: the files, each a document for the requester linked to the request. */
  const store = (checked: CheckedDeposit, nextFile: () => Promise<IncomingFile | UseCaseError | undefined>): ResultAsync<DepositsOutcome, UseCaseError> => {
    const id = checked.request.collectionId!;
    const actor = checked.actor;
    // The rule is decided again where the submission is recorded, on the request's state then:
    // a close that landed during the upload refuses it (the bytes are released).
    return depositDocument(deps).storeAll(checked, nextFile, (documentIds) =>
      handle(
        deps,
        collectionDecider,
        actor.tenant,
        stream(deps, actor, id),
        { type: 'AcceptSubmission', actorId: actor.userId, at: deps.clock.now(), collectionId: id, directory: deps.readModels.directoryView(actor.tenant), documentIds },
        { waitForReadModels: false },
      ),
    );
  };

  return {
    create: (actor: Actor, input: NewCollection): ResultAsync<CollectionView, UseCaseError> =>
      catchUp(deps.projector)
        .andThen(() => fromResult(lockerHolder(deps, actor)))
        .andThen(() => {
          const id = deps.ids.newId();
          const directory = deps.readModels.directoryView(actor.tenant);
          return handle(
            deps,
            collectionDecider,
            actor.tenant,
            stream(deps, actor, id),
            {
              type: 'CreateCollection',
              actorId: actor.userId,
              at: deps.clock.now(),
              collectionId: id,
              year: currentYear(deps, actor.tenant),
              directory,
              settings: tenantSettingsOf(deps, actor.tenant),
              mayRequest: mayDeposit(directory, actor.userId),
              title: input.title,
              instructions: input.instructions ?? null,
              categoryId: input.categoryId,
              recipients: input.recipients,
              dueAt: input.dueAt,
              draft: input.draft === true,
            },
          ).andThen(() => viewFor(deps, actor, id));
        }),
    publish: (actor: Actor, id: string) => command(actor, id, 'PublishCollection'),
    close: (actor: Actor, id: string) => command(actor, id, 'CloseCollection'),
    get: (actor: Actor, id: string): ResultAsync<CollectionView, UseCaseError> => fromResult(lockerHolder(deps, actor)).andThen(() => viewFor(deps, actor, id)),
    list: (actor: Actor, role: 'requester' | 'asked', page: PageRequest): ResultAsync<Page<CollectionSummary>, UseCaseError> =>
      fromResult(lockerHolder(deps, actor)).map(() => deps.readModels.collections(actor.tenant, actor.userId, role, page)),
    remind: (actor: Actor, id: string): ResultAsync<{ reminded: string[] }, UseCaseError> =>
      fromResult(lockerHolder(deps, actor))
        .andThen(() =>
          handle(deps, collectionDecider, actor.tenant, stream(deps, actor, id), {
            type: 'RemindCollection',
            actorId: actor.userId,
            at: deps.clock.now(),
            collectionId: id,
            submitted: deps.readModels.collectionSubmitters(actor.tenant, id),
          }),
        )
        .map(({ events }) => ({ reminded: events.flatMap((e) => (e.type === 'CollectionReminderSent' ? e.data.userIds : [])) })),

    /** A submission, in the deposit's two steps; `upload` takes the request whole. */
    submission: {
      check,
      store,
      /** A request whose body carries the submission's files: refused before a byte is read if not asked, closed, or declared past the limit. */
      upload(actor: Actor, id: string, upload: Pick<Upload<never>, 'open' | 'nextFile'>, idempotencyKey: string | undefined): ResultAsync<DepositsOutcome, UseCaseError> {
        return check(actor, id, idempotencyKey).andThen((checked) => {
          const refused = upload.open(checked.context.maxDocumentBytes);
          return refused ? errAsync<DepositsOutcome, UseCaseError>(refused) : store(checked, upload.nextFile);
        });
      },
    },
  };
};
