import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config';
import { ApiKeysService } from './api-keys.service';

export const PRINT_FIRST_ADMIN = Symbol('PRINT_FIRST_ADMIN');

/** In the server role: creates the first admin key and prints it once, outside the JSON log. */
@Injectable()
export class FirstAdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRINT_FIRST_ADMIN) private readonly print: (key: string) => void,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = await this.keys.ensureFirstAdmin(this.config.adminKey);
    if (key) this.print(key);
  }
}

export function printFirstAdminKey(key: string): void {
  process.stdout.write(
    [
      '',
      '================================================================',
      ' Zhiku created the first admin API key. It is shown only once:',
      '',
      `   ${key}`,
      '',
      ' Send it as: Authorization: Bearer <key>',
      ' Lost it? `zhiku keys create --role admin --name <name>` makes another.',
      '================================================================',
      '',
    ].join('\n'),
  );
}
