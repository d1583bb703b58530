/**
 * The query side of the lake: a Glue database with the klines, trades and decisions tables, and an
 * Athena workgroup. Tables come from src/lake/catalog.ts and src/paper/catalog.ts (the writers' own column lists and the layout
 * functions that name the keys), and find their partitions by projection: no crawler, no MSCK REPAIR,
 * a new month or day is queryable the moment its file is written.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { CatalogTable, PartitionProjection } from '../src/lake/catalog.js';
import { CATALOG_TABLES } from '../src/paper/catalog.js';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { retainUnlessFirstCreateFails } from './removal.js';

export interface CatalogProps {
  bucket: s3.Bucket;
  /** The symbols of the klines table's enum projection (the deploy universe). */
  symbols: readonly string[];
  symbolProjection: 'enum' | 'injected';
  /** Athena cancels a query that would scan more. */
  scanLimitMb: number;
  /** Query results are kept this long. */
  resultRetentionDays?: number;
  removalPolicy: RemovalPolicy;
}

const PARQUET_STORAGE = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

export class Catalog extends Construct {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables: Record<string, glue.CfnTable> = {};
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Glue and Athena names allow lower case, digits and underscores
    this.databaseName = stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const s3Url = (key: string) => `s3://${props.bucket.bucketName}/${key}`;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'alpha15: the kline lake and the compacted paper ledger',
      },
    });
    for (const table of CATALOG_TABLES) {
      const cfn = new glue.CfnTable(this, `${table.name[0]!.toUpperCase()}${table.name.slice(1)}Table`, {
        catalogId: stack.account,
        databaseName: this.databaseName,
        tableInput: {
          name: table.name,
          description: table.description,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            ...projectionParameters(table, props, s3Url),
          },
          partitionKeys: table.partitionKeys.map((key) => ({ name: key.name, type: 'string' })),
          storageDescriptor: {
            location: s3Url(table.prefix),
            columns: table.columns.map((column) => ({ name: column.name, type: column.type })),
            ...PARQUET_STORAGE,
          },
        },
      });
      cfn.addResourceDependency(this.database);
      this.tables[table.name] = cfn;
    }

    props.bucket.addLifecycleRule({
      id: 'expire-athena-results',
      prefix: BUCKET_PREFIXES.athenaResults,
      expiration: Duration.days(props.resultRetentionDays ?? 30),
    });
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      // Workgroup names are unique per account and region, and `retain` keeps the workgroup after
      // `cdk destroy`: the stack id's first segment (new for every created stack) keeps the next
      // deploy's name free. The database needs no suffix: it is deleted with the stack.
      name: Fn.join('-', [this.databaseName, stackIdSegment(stack)]),
      description: 'alpha15 queries over the lake and the ledger, results encrypted in the bucket',
      state: 'ENABLED',
      recursiveDeleteOption: props.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        // a client cannot send results elsewhere or unencrypted, nor lift the scan limit
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.scanLimitMb * 1024 * 1024,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: s3Url(BUCKET_PREFIXES.athenaResults),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.workGroup.applyRemovalPolicy(retainUnlessFirstCreateFails(props.removalPolicy));
  }
}

/** `1a2b3c4d` of arn:aws:cloudformation:<region>:<account>:stack/<name>/1a2b3c4d-...: new for every created stack. */
function stackIdSegment(stack: Stack): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stack.stackId))));
}

/** Athena partition projection: table properties that enumerate partitions without a metastore. */
function projectionParameters(
  table: CatalogTable,
  props: CatalogProps,
  s3Url: (key: string) => string,
): Record<string, string> {
  const parameters: Record<string, string> = {
    'projection.enabled': 'true',
    'storage.location.template': s3Url(table.locationTemplate),
  };
  for (const { name, projection } of table.partitionKeys)
    Object.assign(parameters, keyProjection(name, projection, props));
  return parameters;
}

function keyProjection(
  name: string,
  projection: PartitionProjection,
  props: CatalogProps,
): Record<string, string> {
  if (projection.type === 'symbol') {
    return props.symbolProjection === 'injected'
      ? { [`projection.${name}.type`]: 'injected' }
      : { [`projection.${name}.type`]: 'enum', [`projection.${name}.values`]: props.symbols.join(',') };
  }
  return {
    [`projection.${name}.type`]: 'date',
    [`projection.${name}.format`]: projection.format,
    [`projection.${name}.range`]: `${projection.rangeStart},NOW`,
    [`projection.${name}.interval`]: '1',
    [`projection.${name}.interval.unit`]: projection.unit,
  };
}
