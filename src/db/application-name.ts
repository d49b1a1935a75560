// Shows up in pg_stat_activity, so operators can tell our sessions (and the advisory locks they hold) apart.
// Its own module so the migration CLI does not load the Prisma client just for a string.
export const APPLICATION_NAME = "maintenance-planner";
