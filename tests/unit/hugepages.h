/*
 * hugepages.h: tests that need DMA memory make sure 2 MiB hugepages are
 * reserved (as root they reserve them themselves, as `make demo` does).
 */
#ifndef IXFWD_TEST_HUGEPAGES_H
#define IXFWD_TEST_HUGEPAGES_H

#include <stdio.h>
#include <unistd.h>

/* 1 if at least want free hugepages are there (reserving more as root). */
static int __attribute__((unused))
t_hugepages(long want)
{
	char line[128];
	long nfree = 0, total = 0;
	FILE *f;

	for (int pass = 0; pass < 2; pass++) {
		if ((f = fopen("/proc/meminfo", "r")) == NULL)
			return 0;
		while (fgets(line, sizeof(line), f) != NULL) {
			sscanf(line, "HugePages_Free: %ld", &nfree);
			sscanf(line, "HugePages_Total: %ld", &total);
		}
		fclose(f);
		if (nfree >= want || geteuid() != 0 || pass == 1)
			break;
		if ((f = fopen("/proc/sys/vm/nr_hugepages", "w")) == NULL)
			return 0;
		fprintf(f, "%ld\n", total + (want - nfree));
		fclose(f);
	}
	return nfree >= want;
}

#endif
