import type { DirectoryUser, DirectoryView, People } from '../../../domain/index.js';

/** The directory as last synced: who is who, with which permissions, and who holds a locker. */
export interface DirectoryQueries {
  directoryView(tenant: string): DirectoryView;
  user(tenant: string, userId: string): (DirectoryUser & { permissions: string[] }) | undefined;
  lockerHolders(tenant: string): string[];
  /** Users and classes as last synced: what a new directory is compared with. */
  directoryPeople(tenant: string): People;
}
