import type { FunctionComponent } from 'preact';
import type { Me, Role } from './api/types';
import { match } from './router';
import { AskScreen } from './screens/ask';
import { WriteScreen } from './screens/write';
import { PromptEditorScreen } from './screens/prompt-editor';
import { PromptsScreen } from './screens/prompts';
import { DatasetDetailScreen } from './screens/dataset-detail';
import { DatasetsScreen } from './screens/datasets';
import { ModelsScreen } from './screens/models';
import { AccessScreen } from './screens/access';
import { SearchScreen } from './screens/search';
import { FinetuneRunScreen } from './screens/finetune-run';
import { FinetuneRunsScreen } from './screens/finetune-runs';
import { FinetuneWizardScreen } from './screens/finetune-wizard';
import { DocumentScreen } from './screens/document-view';
import { KnowledgeBaseScreen } from './screens/knowledge-base';
import { KnowledgeBasesScreen } from './screens/knowledge-bases';

export interface ScreenProps {
  params: Record<string, string>;
  me: Me;
}

interface Route {
  match: (path: string) => Record<string, string> | null;
  role: Role;
  screen: FunctionComponent<ScreenProps>;
}

const route = (pattern: string, role: Role, screen: FunctionComponent<ScreenProps>): Route => ({ match: (p) => match(pattern, p), role, screen });

export const ROUTES: Route[] = [
  route('/kb', 'viewer', KnowledgeBasesScreen),
  route('/kb/:id', 'viewer', KnowledgeBaseScreen),
  route('/documents/:id', 'viewer', DocumentScreen),
  route('/ask', 'viewer', AskScreen),
  route('/write', 'viewer', WriteScreen),
  route('/prompts', 'viewer', PromptsScreen),
  route('/prompts/:name', 'viewer', PromptEditorScreen),
  route('/datasets', 'viewer', DatasetsScreen),
  route('/datasets/:ref', 'viewer', DatasetDetailScreen),
  route('/models', 'admin', ModelsScreen),
  route('/access', 'admin', AccessScreen),
  route('/search', 'viewer', SearchScreen),
  route('/finetune', 'admin', FinetuneRunsScreen),
  route('/finetune/new', 'admin', FinetuneWizardScreen),
  route('/finetune/runs/:id', 'admin', FinetuneRunScreen),
];
