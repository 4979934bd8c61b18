export { ApiKeysService, ApiKeyView, CreateApiKeyInput } from './api-keys.service';
export { Auth, Public, Roles } from './auth.decorators';
export { AuthModule } from './auth.module';
export { AuthContext, canUseKnowledgeBase, readableKnowledgeBaseIds, Role, ROLES, roleAtLeast } from './roles';
