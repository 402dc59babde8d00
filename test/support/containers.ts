import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

type Skip = { skip: string };

const NO_RUNTIME = /Could not find a working container runtime strategy/;

/**
 * Starts a container, or says why not. Without a Docker engine testcontainers rejects at once
 * ("Could not find a working container runtime strategy"): that is the only reason to skip, and
 * the one printed. Any other failure (an image that does not start, a health check that never
 * passes) is a failure of the suite, not a skip.
 */
export const tryStart = async (build: () => Promise<StartedTestContainer>): Promise<StartedTestContainer | Skip> => {
  try {
    return await build();
  } catch (e) {
    const message = (e as Error).message;
    if (NO_RUNTIME.test(message)) return { skip: `no container runtime: ${message.split('\n')[0]}` };
    throw e;
  }
};

export const minioContainer = async (): Promise<Skip | { endpoint: string; accessKey: string; secretKey: string; stop: () => Promise<void> }> => {
  const started = await tryStart(() =>
    new GenericContainer('minio/minio:RELEASE.2025-04-22T22-12-26Z')
      .withCommand(['server', '/data'])
      .withEnvironment({ MINIO_ROOT_USER: 'locker', MINIO_ROOT_PASSWORD: 'locker-secret' })
      .withExposedPorts(9000)
      .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
      .start(),
  );
  if ('skip' in started) return started;
  return {
    endpoint: `http://${started.getHost()}:${started.getMappedPort(9000)}`,
    accessKey: 'locker',
    secretKey: 'locker-secret',
    stop: async () => void (await started.stop()),
  };
};

/** EventStoreDB: LOCKER_TEST_EVENTSTORE_URL when set, else an insecure single node in a container. */
export const eventStoreDb = async (): Promise<Skip | { url: string; stop: () => Promise<void> }> => {
  const given = process.env.LOCKER_TEST_EVENTSTORE_URL;
  if (given) return { url: given, stop: async () => undefined };
  const started = await tryStart(() =>
    new GenericContainer('eventstore/eventstore:24.10.0')
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_MEM_DB: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None' })
      .withExposedPorts(2113)
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
      .start(),
  );
  if ('skip' in started) return { skip: `LOCKER_TEST_EVENTSTORE_URL is not set and ${started.skip}` };
  return { url: `esdb://${started.getHost()}:${started.getMappedPort(2113)}?tls=false`, stop: async () => void (await started.stop()) };
};
