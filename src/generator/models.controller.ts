import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth';
import { ImportModelDto, mapModel, MeasureModelDto, ModelDto, RegisterModelDto } from './dto/model.dto';
import type { CheckpointFolder } from './registry/model-paths';
import { ModelRegistryService } from './registry/model-registry.service';

/** The model registry, for admins. Serving is under /v1. */
@ApiTags('models')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/models')
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Get()
  async list(): Promise<ModelDto[]> {
    return (await this.registry.list()).map(mapModel);
  }

  /** Declared before :id so that "checkpoints" is not taken for a model id. */
  @Get('checkpoints')
  checkpoints(): CheckpointFolder[] {
    return this.registry.checkpoints();
  }

  @Post()
  async register(@Body() dto: RegisterModelDto): Promise<ModelDto> {
    return mapModel(await this.registry.register(dto));
  }

  /** Queues the import; the answer is the new version in status "importing" with its jobId. */
  @Post('import')
  @HttpCode(202)
  async import(@Body() dto: ImportModelDto): Promise<ModelDto> {
    return mapModel(await this.registry.startImport(dto));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ModelDto> {
    return mapModel(await this.registry.get(id));
  }

  /** Runs a short speed measurement again and, with `text`, perplexity on it; answers the updated version. */
  @Post(':id/measure')
  @HttpCode(200)
  async measure(@Param('id') id: string, @Body() dto: MeasureModelDto): Promise<ModelDto> {
    return mapModel(await this.registry.measure(id, dto.text));
  }

  @Post(':id/default')
  @HttpCode(200)
  async setDefault(@Param('id') id: string): Promise<ModelDto> {
    return mapModel(await this.registry.setDefault(id));
  }

  @Delete(':id')
  async remove(@Param('id') id: string): Promise<ModelDto> {
    return mapModel(await this.registry.remove(id));
  }
}
