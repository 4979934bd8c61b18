import { Platform1795832716129 } from './1795832716129-Platform';

/**
 * Every migration, oldest first. Listed explicitly (not globbed) so the same list works from
 * TypeScript under jest and from dist/ at run time. A new migration is one file plus one line here.
 */
export const ALL_MIGRATIONS = [Platform1795832716129];
