export const PERMISSIONS = ['locker.deposit', 'locker.admin', 'locker.audit'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const USER_KINDS = ['teacher', 'staff', 'counselor', 'student'] as const;
export type UserKind = (typeof USER_KINDS)[number];

/** Students never have a locker; every other kind does. */
export const hasLocker = (kind: UserKind): boolean => kind !== 'student';
