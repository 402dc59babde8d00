import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { documentDecider } from '../../domain/index.js';
import { fromResult, lockerHolder, readableDocument } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { documentCommand } from '../document-command.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';
import { schoolMoves } from '../school-moves.js';
import type { Page, PageRequest, Receipt } from '../ports/read-models.js';

/** A recipient acknowledges the latest version (which they opened); the domain says when they may. */
export const acknowledgeDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<{ acknowledgedVersion: number }, UseCaseError> =>
    fromResult(readableDocument(deps, actor, documentId))
      .andThen(() => handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), { type: 'Acknowledge', actorId: actor.userId, at: deps.clock.now(), documentId }))
      .map(({ state }) => ({ acknowledgedVersion: state.status === 'none' ? 0 : (state.acknowledged.get(actor.userId) ?? 0) }));

/** The depositor reminds those who still owe the latest version an opening or an acknowledgement. */
export const remindRecipients =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<{ reminded: string[] }, UseCaseError> =>
    documentCommand(deps, actor, documentId, (by) => ({ type: 'Remind', ...by })).map(({ events }) => ({
      reminded: events.flatMap((e) => ((e as { type: string }).type === 'ReminderSent' ? (e as { data: { userIds: string[] } }).data.userIds : [])),
    }));

/** Per recipient: versions opened and when, what they acknowledged and when, the reminders they got. Depositor only. */
export const documentReceipts =
  (deps: Deps) =>
  (actor: Actor, documentId: string, page: PageRequest): ResultAsync<Page<Receipt>, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).andThen(() => {
      const readable = readableDocument(deps, actor, documentId);
      if (readable.isErr()) return errAsync<Page<Receipt>, UseCaseError>(readable.error);
      if (readable.value.depositorId !== actor.userId) return errAsync<Page<Receipt>, UseCaseError>({ code: 'NOT_DEPOSITOR', documentId });
      return okAsync(deps.readModels.receipts(actor.tenant, documentId, page));
    });

/**
 * What the scheduler runs: every document whose acknowledgement is due and whose due reminder has
 * not gone, reminded once. At start it catches up with what fell due while the server was down.
 */
export const remindDue =
  (deps: Deps) =>
  (): ResultAsync<{ reminded: number }, UseCaseError> =>
    catchUp(deps.projector).andThen(() => schoolMoves(deps).importing()).andThen((importing) => {
      // A school being imported is left alone: its archive writes the documents' streams (ADR 54).
      const due = deps.readModels.dueAcknowledgements(deps.clock.now()).filter((d) => !importing.has(d.tenant));
      return due
        .reduce<ResultAsync<number, UseCaseError>>(
          (acc, { tenant, documentId }) =>
            acc.andThen((n) =>
              handle(deps, documentDecider, tenant, deps.streams.document(tenant, documentId), { type: 'RemindDue', actorId: 'system:scheduler', at: deps.clock.now(), documentId }, { waitForReadModels: false }).map(
                (h) => n + h.events.length,
              ),
            ),
          okAsync(0),
        )
        .andThen((reminded) => catchUp(deps.projector).map(() => ({ reminded })));
    });
