/*
 * conf_daemon.c: the daemon's own keys: the user it runs as (user:), its
 * control socket (control:) and its metrics endpoint (metrics:).
 */
#include <arpa/inet.h>

#include <bsd/string.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

static void	conf_set_socket(CONF_SET_ARGS);
static void	conf_set_listen(CONF_SET_ARGS);

static const struct conf_key conf_control_keys[] = {
	{ .name = "socket", .type = CONF_T_STRING, .def = CONF_SOCKET_DEFAULT,
	  .set = conf_set_socket,
	  .desc = "Path of the unix socket, mode 0660, group of the user "
	    "ixfwd runs as; ixfwd -s overrides it." },
};

static const struct conf_key conf_metrics_keys[] = {
	{ .name = "listen", .type = CONF_T_STRING,
	  .flags = CONF_K_REQUIRED, .set = conf_set_listen,
	  .desc = "Address and TCP port GET /metrics is served on: "
	    "\"127.0.0.1:9477\", \"[::1]:9477\"." },
};

const struct conf_table conf_control_table =
    CONF_TABLE("control", "in control", conf_control_keys);
const struct conf_table conf_metrics_table =
    CONF_TABLE("metrics", "in metrics", conf_metrics_keys);

/* A user or group name as useradd(8) takes them. */
static int
conf_account_ok(const char *s)
{
	const char *q;

	if (*s == '\0' || strlen(s) >= CONF_USER_MAX || *s == '-')
		return 0;
	for (q = s; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '_' || *q == '-' ||
		    *q == '.'))
			return 0;
	return 1;
}

/* user: name or name:group; whether they exist is checked at start. */
void
conf_set_user(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	char buf[CONF_QUOTE_MAX], spec[2 * CONF_USER_MAX], *colon;

	(void)key;
	if (strlcpy(spec, conf_text(val), sizeof(spec)) >= sizeof(spec))
		spec[0] = '\0';
	if ((colon = strchr(spec, ':')) != NULL)
		*colon++ = '\0';
	if (!conf_account_ok(spec) || (colon != NULL &&
	    !conf_account_ok(colon))) {
		conf_err(p, val, "%s: %s is not a user name or user:group",
		    k->name, conf_quote(conf_text(val), buf, sizeof(buf)));
		return;
	}
	strlcpy(c->user, spec, sizeof(c->user));
	strlcpy(c->group, colon != NULL ? colon : "", sizeof(c->group));
	c->user_given = 1;
}

static void
conf_set_socket(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	char path[PATH_MAX];

	(void)k;
	(void)key;
	if (*conf_text(val) == '\0') {
		conf_err(p, val, "socket: the path is empty");
		return;
	}
	if (conf_path(p, conf_text(val), path, sizeof(path)) == -1 ||
	    strlcpy(c->control_socket, path, sizeof(c->control_socket)) >=
	    sizeof(c->control_socket))
		conf_err(p, val, "socket: the path is longer than %d bytes",
		    CONF_SOCKET_MAX - 1);
}

/* "host:port", the host an IPv4 address or an IPv6 one in brackets. */
int
conf_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	char *end;
	long v;
	size_t n;

	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		s++;
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	v = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static void
conf_set_listen(struct conf_parse *p, void *obj, const struct conf_key *k,
    yaml_node_t *key, yaml_node_t *val)
{
	struct conf *c = obj;
	struct in6_addr a6;
	struct in_addr a4;
	char host[CONF_LISTEN_MAX];
	int port;

	(void)k;
	(void)key;
	if (conf_parse_listen(conf_text(val), host, sizeof(host),
	    &port) == -1 || (inet_pton(AF_INET, host, &a4) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)) {
		conf_err(p, val, "listen: expected an address and a port "
		    "such as 127.0.0.1:9477 or [::1]:9477, got \"%s\"",
		    conf_text(val));
		return;
	}
	strlcpy(c->metrics_listen, conf_text(val), sizeof(c->metrics_listen));
}
