import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRecorder } from './audit.recorder';
import { AuditRepository } from './audit.repository';

/** The HTTP API's audit trail (api role only: workers and the CLI serve no requests). */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditRecorder],
  exports: [AuditRecorder],
})
export class AuditModule {}
