export { AppConfig, ConfigOverrides, LOG_LEVELS, LogLevel, loadConfig } from './app-config';
export { ConfigError } from './config.errors';
export { APP_CONFIG, ConfigModule } from './config.module';
export { redactUrl } from './config.parsers';
