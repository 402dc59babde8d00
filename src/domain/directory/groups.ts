import type { UserKind } from '../shared/permissions.js';
import { hasLocker } from '../shared/permissions.js';

/** Recipients a depositor can name by what people are rather than who: followed as the directory changes. */
export const GROUPS = ['teachers', 'staff', 'counselors', 'all-staff'] as const;
export type Group = (typeof GROUPS)[number];

/** `all-staff` is every locker holder; the others one kind each. */
export const inGroup = (kind: UserKind, group: Group): boolean =>
  group === 'all-staff' ? hasLocker(kind) : group === 'teachers' ? kind === 'teacher' : group === 'staff' ? kind === 'staff' : kind === 'counselor';

/**
 * What a document can be addressed to besides named people, as one opaque key: `class:<id>` or
 * `group:<name>`. The read models index documents by it, and the follow events carry it.
 */
export type Target = `class:${string}` | `group:${Group}`;
export const classTarget = (classId: string): Target => `class:${classId}`;
export const groupTarget = (group: Group): Target => `group:${group}`;

/** The part of a directory that decides who is in which class team and group. */
export type People = {
  readonly users: readonly { readonly id: string; readonly kind: UserKind }[];
  readonly classes: readonly { readonly id: string; readonly teacherIds: readonly string[] }[];
};

export type Move = { readonly joined: readonly string[]; readonly left: readonly string[] };

const difference = (a: ReadonlySet<string>, b: ReadonlySet<string>): string[] => [...a].filter((x) => !b.has(x)).sort();

/**
 * Who joined and who left each class team and group between two directories: only the targets
 * that changed are listed, so only the documents addressed to them need to be looked at.
 */
export const directoryMoves = (before: People, after: People): Map<Target, Move> => {
  const teams = (d: People) => new Map(d.classes.map((c) => [classTarget(c.id), new Set(c.teacherIds)]));
  const groups = (d: People) => new Map(GROUPS.map((g) => [groupTarget(g), new Set(d.users.filter((u) => inGroup(u.kind, g)).map((u) => u.id))]));
  const moves = new Map<Target, Move>();
  const compare = (was: Map<Target, Set<string>>, now: Map<Target, Set<string>>) => {
    for (const target of new Set([...was.keys(), ...now.keys()])) {
      const a = was.get(target) ?? new Set<string>();
      const b = now.get(target) ?? new Set<string>();
      const move = { joined: difference(b, a), left: difference(a, b) };
      if (move.joined.length > 0 || move.left.length > 0) moves.set(target, move);
    }
  };
  compare(teams(before), teams(after));
  compare(groups(before), groups(after));
  return moves;
};
