import { ConfigError, loadConfig, type Config } from '../config';
import { envSchema, type Env } from './env-schema';

/**
 * The typed createProofgate options, derived from the environment settings: every variable,
 * camelCased (DATABASE_URL → databaseUrl), taking the value its parser produces (a number, a
 * boolean, a list). An option goes through the very parser its variable does, so defaults,
 * validation and error wording cannot drift apart; errors name the option, not the variable.
 */

type PascalWords<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Capitalize<Lowercase<Head>>}${PascalWords<Tail>}`
  : Capitalize<Lowercase<S>>;
export type CamelCaseSetting<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${PascalWords<Tail>}` : Lowercase<S>;

export type SettingsOptions = {
  [Variable in keyof Env as CamelCaseSetting<Variable & string>]?: Exclude<Env[Variable], undefined>;
};

/** Short names the library's contract uses beside the camelCased variable. */
const ALIASES: Readonly<Record<'encKey' | 'encKeysOld', string>> = { encKey: 'APP_ENC_KEY', encKeysOld: 'APP_ENC_KEYS_OLD' };

export type ProofgateOptions = SettingsOptions & {
  /** Same as appEncKey: the 32-byte base64 key that seals stored TOTP secrets. */
  encKey?: string;
  /** Same as appEncKeysOld: retired keys still accepted for decryption during rotation. */
  encKeysOld?: string[];
};

export function camelCaseSetting(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

const variableOfOption: ReadonlyMap<string, string> = new Map([
  ...Object.keys(envSchema.shape).map((variable) => [camelCaseSetting(variable), variable] as const),
  ...Object.entries(ALIASES),
]);
const optionOfVariable: ReadonlyMap<string, string> = new Map(
  Object.keys(envSchema.shape).map((variable) => [variable, camelCaseSetting(variable)] as const),
);

/** The text an environment would hold for this value, so the variable's own parser judges it. */
function asEnvironmentText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

export interface OptionDefaults {
  /** Values used when the option is not given (mounted: serveWeb off). */
  [option: string]: unknown;
}

/**
 * Options → Config through loadConfig. `nodeEnv` left out follows the process's NODE_ENV, as the
 * standalone server does; every other option left out takes the variable's default.
 */
export function configFromOptions(options: ProofgateOptions, defaults: OptionDefaults = {}): Config {
  const env: Record<string, string | undefined> = { NODE_ENV: process.env.NODE_ENV };
  const given = options as Record<string, unknown>;
  const unknown: string[] = Object.entries(ALIASES)
    .filter(([alias, variable]) => given[alias] !== undefined && given[camelCaseSetting(variable)] !== undefined)
    .map(([alias, variable]) => `${alias} and ${camelCaseSetting(variable)} are the same option: give one`);
  for (const [option, value] of Object.entries({ ...defaults, ...options })) {
    if (value === undefined) continue;
    const variable = variableOfOption.get(option);
    if (!variable) {
      unknown.push(`${option} is not a Proofgate option`);
      continue;
    }
    env[variable] = asEnvironmentText(value);
  }
  let config: Config | undefined;
  let problems = unknown;
  try {
    config = loadConfig(env, (variable) => optionOfVariable.get(variable) ?? variable);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = [...unknown, ...error.problems];
  }
  // Every problem at once, the unknown names with the bad values.
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}
