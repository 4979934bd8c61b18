import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity, ApiKeyGrantEntity } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { FirstAdminBootstrap, PRINT_FIRST_ADMIN, printFirstAdminKey } from './first-admin.bootstrap';

export interface AuthModuleOptions {
  /** The HTTP role: mount /api/keys, guard every route, make the first admin key. */
  http: boolean;
  /** Where a generated first admin key goes (stdout by default; tests capture it). */
  printFirstAdmin?: (key: string) => void;
}

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [TypeOrmModule.forFeature([ApiKeyEntity, ApiKeyGrantEntity])],
      controllers: options.http ? [ApiKeysController] : [],
      providers: [
        ApiKeysRepository,
        ApiKeysService,
        ...(options.http
          ? [
              { provide: APP_GUARD, useClass: AuthGuard },
              { provide: PRINT_FIRST_ADMIN, useValue: options.printFirstAdmin ?? printFirstAdminKey },
              FirstAdminBootstrap,
            ]
          : []),
      ],
      exports: [ApiKeysService],
    };
  }
}
