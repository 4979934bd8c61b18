import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { AuditRepository } from './audit.repository';
import { AuditPageDto, ListAuditQueryDto } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly repository: AuditRepository) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Who did what: state-changing API requests and refused ones, newest first' })
  async list(@Query() query: ListAuditQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? 50;
    const items = await this.repository.list({ limit, before: query.before, keyId: query.keyId });
    return { items, next: items.length === limit ? items[items.length - 1].id : null };
  }
}
