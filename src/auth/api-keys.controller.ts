import { Body, Controller, Delete, Get, Param, ParseBoolPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiKeysService, ApiKeyView } from './api-keys.service';
import { Auth, Roles } from './auth.decorators';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { UpdateApiKeyDto } from './dto/update-api-key.dto';
import { AuthContext } from './roles';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('api/keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List API keys (never the keys themselves)' })
  @ApiQuery({ name: 'includeRevoked', required: false, type: Boolean })
  list(@Query('includeRevoked', new ParseBoolPipe({ optional: true })) includeRevoked?: boolean): Promise<ApiKeyView[]> {
    return this.keys.list(includeRevoked ?? false);
  }

  @Get('me')
  @ApiOperation({ summary: 'The key making this request' })
  me(@Auth() auth: AuthContext): AuthContext {
    return auth;
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key; the response holds the key, shown this once' })
  create(@Body() body: CreateApiKeyDto): Promise<ApiKeyView & { key: string }> {
    return this.keys.create(body);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: "Change a key's role or knowledge-base grants (null: all); applies from its next request" })
  update(@Param('id') id: string, @Body() body: UpdateApiKeyDto): Promise<ApiKeyView> {
    return this.keys.update(id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke an API key (by id or prefix)' })
  revoke(@Param('id') id: string): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }
}
