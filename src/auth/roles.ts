export const ROLES = ['viewer', 'editor', 'admin'] as const;
/** viewer reads; editor also writes content (documents, prompts, datasets); admin also manages keys, models and services. */
export type Role = (typeof ROLES)[number];

export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is calling, attached to every authenticated request. Services take it as their first argument. */
export interface AuthContext {
  keyId: string;
  keyName: string;
  role: Role;
  /** 'all', or the only knowledge bases this key may use (its grants). */
  knowledgeBases: 'all' | readonly string[];
}

/** null means every knowledge base; use it inside the query (`kb_id = ANY($1)`), never after it. */
export function readableKnowledgeBaseIds(auth: AuthContext): readonly string[] | null {
  return auth.knowledgeBases === 'all' ? null : auth.knowledgeBases;
}

export function canUseKnowledgeBase(auth: AuthContext, knowledgeBaseId: string): boolean {
  return auth.knowledgeBases === 'all' || auth.knowledgeBases.includes(knowledgeBaseId);
}
