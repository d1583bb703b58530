/**
 * The template against the CloudFormation resource specification (@aws-cdk/cfnspec), as cfn-lint's
 * E3001/E3002/E3003/E3012 checks would run it: every resource type exists, required properties are
 * present, no property is unknown, and every value has the spec's type (primitives, lists, maps and
 * nested property types, recursively). Types are compared the way CloudFormation coerces them (cfn-lint
 * without --strict): "30" passes for an Integer, 30 for a String. A value built by an intrinsic is
 * checked only for what the intrinsic can return (Fn::Join and Fn::Sub give a string).
 *
 * The packaged specification is version 117; SPEC_ADDITIONS holds, from the CloudFormation reference,
 * the few properties aws-cdk-lib now emits that came later, so they are checked instead of skipped. The
 * specification carries no allowed-value lists (cfn-lint takes those from the registry schemas), so
 * enumerations are not checked here.
 */
import { specification } from '@aws-cdk/cfnspec';
import type { CfnTemplate } from './template.js';

export interface SpecViolation {
  /** `LogicalId.Property.Nested[0]` */
  path: string;
  problem: string;
}

interface PropertySpec {
  Required?: boolean;
  PrimitiveType?: string;
  Type?: string;
  PrimitiveItemType?: string;
  ItemType?: string;
  PrimitiveTypes?: string[];
  Types?: string[];
}

interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
  PrimitiveType?: string;
}

/** Properties newer than specification 117, from the CloudFormation reference (merged into the spec's types). */
const SPEC_ADDITIONS: {
  resources: Record<string, Record<string, PropertySpec>>;
  propertyTypes: Record<string, TypeSpec>;
} = {
  resources: {
    'AWS::Lambda::Function': { LoggingConfig: { Type: 'LoggingConfig' } },
    'AWS::Cognito::UserPool': { UserPoolTier: { PrimitiveType: 'String' } },
  },
  propertyTypes: {
    'AWS::Lambda::Function.LoggingConfig': {
      Properties: {
        ApplicationLogLevel: { PrimitiveType: 'String' },
        LogFormat: { PrimitiveType: 'String' },
        LogGroup: { PrimitiveType: 'String' },
        SystemLogLevel: { PrimitiveType: 'String' },
      },
    },
    'AWS::OpenSearchService::Domain.ClusterConfig': {
      Properties: { MultiAZWithStandbyEnabled: { PrimitiveType: 'Boolean' } },
    },
  },
};

const spec = specification() as unknown as {
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
};

const STRING_INTRINSICS = new Set(['Fn::Join', 'Fn::Sub', 'Fn::Base64']);

function intrinsicName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')) ? keys[0] : undefined;
}

function primitiveProblem(value: unknown, primitive: string): string | undefined {
  const intrinsic = intrinsicName(value);
  if (intrinsic !== undefined) return undefined;
  const shown = JSON.stringify(value)?.slice(0, 80);
  switch (primitive) {
    case 'String':
    case 'Timestamp':
      return ['string', 'number', 'boolean'].includes(typeof value)
        ? undefined
        : `expected a String, got ${shown}`;
    case 'Integer':
    case 'Long':
      return (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
        ? undefined
        : `expected an ${primitive}, got ${shown}`;
    case 'Double':
      return typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        ? undefined
        : `expected a Double, got ${shown}`;
    case 'Boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : `expected a Boolean, got ${shown}`;
    case 'Json':
      return typeof value === 'object' || typeof value === 'string'
        ? undefined
        : `expected Json, got ${shown}`;
    default:
      return `the specification names an unknown primitive ${primitive}`;
  }
}

export class SpecChecker {
  readonly violations: SpecViolation[] = [];

  private propertyType(resourceType: string, name: string): TypeSpec | undefined {
    const qualified = `${resourceType}.${name}`;
    const known = spec.PropertyTypes[qualified] ?? spec.PropertyTypes[name];
    const added = SPEC_ADDITIONS.propertyTypes[qualified];
    if (added === undefined) return known;
    return { ...known, Properties: { ...known?.Properties, ...added.Properties } };
  }

  private report(path: string, problem: string): void {
    this.violations.push({ path, problem });
  }

  checkTemplate(template: CfnTemplate): SpecViolation[] {
    for (const [id, resource] of Object.entries(template.Resources)) {
      const properties = resource.Properties ?? {};
      if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
        if (properties.ServiceToken === undefined) this.report(id, 'a custom resource needs a ServiceToken');
        continue;
      }
      const resourceSpec = spec.ResourceTypes[resource.Type];
      if (resourceSpec === undefined) {
        this.report(id, `unknown resource type ${resource.Type}`);
        continue;
      }
      this.checkObject(id, resource.Type, properties, {
        ...resourceSpec.Properties,
        ...SPEC_ADDITIONS.resources[resource.Type],
      });
    }
    return this.violations;
  }

  private checkObject(
    path: string,
    resourceType: string,
    value: unknown,
    properties: Record<string, PropertySpec>,
  ): void {
    if (intrinsicName(value) !== undefined) {
      if (STRING_INTRINSICS.has(intrinsicName(value)!))
        this.report(path, 'expected an object, an intrinsic gives a string');
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report(path, `expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`);
      return;
    }
    const given = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(properties))
      if (property.Required && given[name] === undefined)
        this.report(`${path}.${name}`, 'required property is missing');
    for (const [name, item] of Object.entries(given)) {
      const property = properties[name];
      if (property === undefined) this.report(`${path}.${name}`, 'unknown property');
      else this.checkValue(`${path}.${name}`, resourceType, item, property);
    }
  }

  private checkValue(path: string, resourceType: string, value: unknown, property: PropertySpec): void {
    const intrinsic = intrinsicName(value);
    if (property.PrimitiveType !== undefined) {
      const problem = primitiveProblem(value, property.PrimitiveType);
      if (problem) this.report(path, problem);
      return;
    }
    if (property.PrimitiveTypes || property.Types) {
      // a union: one of the primitives or one of the structures
      const fits =
        (property.PrimitiveTypes ?? []).some(
          (primitive) => primitiveProblem(value, primitive) === undefined,
        ) ||
        (property.Types ?? []).some((type) => {
          const probe = new SpecChecker();
          probe.checkNamed(path, resourceType, value, type);
          return probe.violations.length === 0;
        });
      if (!fits)
        this.report(
          path,
          `matches none of ${[...(property.PrimitiveTypes ?? []), ...(property.Types ?? [])].join(', ')}`,
        );
      return;
    }
    if (property.Type === 'List' || property.Type === 'Map') {
      if (intrinsic !== undefined) {
        if (STRING_INTRINSICS.has(intrinsic))
          this.report(path, `expected a ${property.Type}, an intrinsic gives a string`);
        return;
      }
      const isList = Array.isArray(value);
      const isMap = value !== null && typeof value === 'object' && !isList;
      if (property.Type === 'List' ? !isList : !isMap) {
        this.report(path, `expected a ${property.Type}, got ${JSON.stringify(value)?.slice(0, 80)}`);
        return;
      }
      const items = isList
        ? (value as unknown[]).map((item, index) => [`${path}[${index}]`, item] as const)
        : Object.entries(value as Record<string, unknown>).map(
            ([key, item]) => [`${path}.${key}`, item] as const,
          );
      for (const [itemPath, item] of items) {
        if (property.PrimitiveItemType !== undefined) {
          const problem = primitiveProblem(item, property.PrimitiveItemType);
          if (problem) this.report(itemPath, problem);
        } else if (property.ItemType !== undefined)
          this.checkNamed(itemPath, resourceType, item, property.ItemType);
      }
      return;
    }
    if (property.Type !== undefined) this.checkNamed(path, resourceType, value, property.Type);
  }

  private checkNamed(path: string, resourceType: string, value: unknown, typeName: string): void {
    const type = this.propertyType(resourceType, typeName);
    if (type === undefined) {
      this.report(path, `the specification has no property type ${typeName}`);
      return;
    }
    if (type.PrimitiveType !== undefined) {
      const problem = primitiveProblem(value, type.PrimitiveType);
      if (problem) this.report(path, problem);
      return;
    }
    this.checkObject(path, resourceType, value, type.Properties ?? {});
  }
}

export function specViolations(template: CfnTemplate): SpecViolation[] {
  return new SpecChecker().checkTemplate(template);
}
