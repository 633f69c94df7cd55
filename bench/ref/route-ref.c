/*
 * The C reference sender of the route-churn benchmark: the practical limit a user-space program
 * reaches on this kernel. Mirrors <linux/netlink.h> and <linux/rtnetlink.h> (every number comes from
 * the system's UAPI headers) and the request shapes of iproute2's `ip route add/replace/del`
 * (ip/iproute.c iproute_modify): rtmsg + RTA_DST + RTA_GATEWAY + RTA_OIF, NLM_F_ACK on every message
 * (unless --ack last, below).
 *
 *   route-ref --netns /run/netns/NAME --n N --ifindex I --gw A.B.C.D --gw2 A.B.C.D --batch K [--ack last|each]
 *
 * Phases, in order: add N host routes 10.x.y.z/32 (NLM_F_CREATE|NLM_F_EXCL), dump the IPv4 routes
 * (decoding every attribute into a table, as libmnl's examples do, and counting ours), replace the N
 * routes with the second gateway (NLM_F_CREATE|NLM_F_REPLACE), delete the N routes by dst.
 * --batch K puts K messages in each sendmsg and drains their answers before the next sendmsg
 * (K = 5000 is the limit row; K = 1 is "one message per sendmsg, wait for its ACK").
 * --ack last asks an ACK of each sendmsg's last message only, as rtnetlink's engine does: the kernel
 * answers every message that fails whatever its flags, in order, so the last one's answer says
 * that the others without an error succeeded (netlink_rcv_skb).
 *
 * Prints "phase NAME" on stdout as each phase starts and one final line
 * "result {json}" with milliseconds, counts, errors and VmHWM; exits 1 on any failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RCVBUF (32 * 1024 * 1024)
#define SNDBUF (4 * 1024 * 1024)
#define MSG_SPACE 64 /* nlmsghdr 16 + rtmsg 12 + 3 attributes of 8: 52, rounded up */
#define RECV_BYTES (1024 * 1024)

struct phase {
	const char *name;
	double ms;
	double user_ms, sys_ms; /* CPU time: user space, kernel (the route work runs inside sendmsg) */
	long count;
	long errors;
	int first_errno;
};

static int fd = -1;
static uint32_t seq = 1;
static int ack_last; /* --ack last */
static unsigned char *sendbuf;
static unsigned char *recvbuf;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void cpu_ms(double *user, double *sys)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
	*sys = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* Starts a phase: announces it and notes the clocks. */
static double begin(struct phase *ph)
{
	printf("phase %s\n", ph->name);
	fflush(stdout);
	cpu_ms(&ph->user_ms, &ph->sys_ms);
	return now_ms();
}

/* Ends a phase: wall time and CPU time since begin(). */
static void end(struct phase *ph, double t0)
{
	double u, s;
	ph->ms = now_ms() - t0;
	cpu_ms(&u, &s);
	ph->user_ms = u - ph->user_ms;
	ph->sys_ms = s - ph->sys_ms;
}

static void die(const char *what)
{
	fprintf(stderr, "route-ref: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint32_t route_dst(long i)
{
	/* 10.x.y.z for i in [0, 2^24) */
	return htonl(0x0a000000u | (uint32_t)i);
}

static void put_attr(unsigned char *p, size_t *off, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)(p + *off);
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	*off += RTA_ALIGN(rta->rta_len);
}

/* Writes one RTM_NEWROUTE / RTM_DELROUTE at p; returns its length. */
static size_t put_route(unsigned char *p, int type, int flags, long i, uint32_t gw, int ifindex, int ack)
{
	struct nlmsghdr *h = (struct nlmsghdr *)p;
	struct rtmsg *r = NLMSG_DATA(h);
	size_t off = NLMSG_LENGTH(sizeof(*r));
	uint32_t dst = route_dst(i);

	memset(p, 0, off);
	h->nlmsg_type = (unsigned short)type;
	h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) | flags);
	h->nlmsg_seq = seq++;
	r->rtm_family = AF_INET;
	r->rtm_dst_len = 32;
	r->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_DELROUTE) {
		r->rtm_scope = RT_SCOPE_NOWHERE;
	} else {
		r->rtm_protocol = RTPROT_BOOT;
		r->rtm_scope = RT_SCOPE_UNIVERSE;
		r->rtm_type = RTN_UNICAST;
	}
	put_attr(p, &off, RTA_DST, &dst, 4);
	if (type != RTM_DELROUTE) {
		put_attr(p, &off, RTA_GATEWAY, &gw, 4);
		put_attr(p, &off, RTA_OIF, &ifindex, 4);
	}
	h->nlmsg_len = (uint32_t)off;
	return NLMSG_ALIGN(off);
}

/*
 * Receives the answers (NLMSG_ERROR) to the `sent` messages of one sendmsg, the last of which has
 * sequence number `last`: with an ACK on each, until all have come; with --ack last, until the last
 * one's has (an error comes for each that failed, before it). Counts errors and successes.
 */
static void drain_acks(long sent, uint32_t last, struct phase *ph)
{
	long got = 0, errors = 0;
	for (;;) {
		ssize_t n = recv(fd, recvbuf, RECV_BYTES, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv (ACKs)");
		}
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)recvbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			got++;
			if (e->error != 0 && errors++ == 0 && ph->errors == 0)
				ph->first_errno = -e->error;
			if (ack_last ? h->nlmsg_seq == last : got == sent) {
				ph->errors += errors;
				ph->count += sent - errors;
				return;
			}
		}
	}
}

static void churn(struct phase *ph, int type, int flags, long n, uint32_t gw, int ifindex, long batch)
{
	double t0 = begin(ph);
	for (long i = 0; i < n;) {
		long k = n - i < batch ? n - i : batch;
		size_t len = 0;
		for (long j = 0; j < k; j++)
			len += put_route(sendbuf + len, type, flags, i + j, gw, ifindex, !ack_last || j == k - 1);
		struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
		struct iovec iov = {.iov_base = sendbuf, .iov_len = len};
		struct msghdr mh = {.msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = &iov, .msg_iovlen = 1};
		while (sendmsg(fd, &mh, 0) < 0)
			if (errno != EINTR)
				die("sendmsg");
		drain_acks(k, seq - 1, ph);
		i += k;
	}
	end(ph, t0);
}

/* Dumps the IPv4 routes; decodes each into tb[] and counts our 10.0.0.0/8 host routes in main. */
static void dump(struct phase *ph)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req;
	double t0 = begin(ph);
	uint64_t gw_sum = 0;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = seq++;
	req.r.rtm_family = AF_INET;
	if (send(fd, &req, sizeof(req), 0) < 0)
		die("send (dump)");
	for (;;) {
		ssize_t n = recv(fd, recvbuf, RECV_BYTES, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv (dump)");
		}
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)recvbuf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				end(ph, t0);
				if (gw_sum == 1)
					fprintf(stderr, "route-ref: unlikely\n"); /* keeps the decode observable */
				return;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				ph->errors++;
				ph->first_errno = -e->error;
				continue;
			}
			if (h->nlmsg_type != RTM_NEWROUTE)
				continue;
			struct rtmsg *r = NLMSG_DATA(h);
			struct rtattr *tb[RTA_MAX + 1];
			memset(tb, 0, sizeof(tb));
			int alen = (int)RTM_PAYLOAD(h);
			for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type <= RTA_MAX)
					tb[a->rta_type] = a;
			uint32_t table = tb[RTA_TABLE] ? *(uint32_t *)RTA_DATA(tb[RTA_TABLE]) : r->rtm_table;
			uint32_t dst = tb[RTA_DST] ? ntohl(*(uint32_t *)RTA_DATA(tb[RTA_DST])) : 0;
			if (tb[RTA_GATEWAY])
				gw_sum += *(uint32_t *)RTA_DATA(tb[RTA_GATEWAY]);
			if (tb[RTA_OIF])
				gw_sum += *(uint32_t *)RTA_DATA(tb[RTA_OIF]);
			if (table == RT_TABLE_MAIN && r->rtm_dst_len == 32 && (dst >> 24) == 10)
				ph->count++;
		}
	}
}

static long vm_hwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void print_phase(const struct phase *p, int last)
{
	printf("\"%s\":{\"ms\":%.3f,\"userMs\":%.3f,\"sysMs\":%.3f,\"count\":%ld,\"errors\":%ld", p->name, p->ms,
	       p->user_ms, p->sys_ms, p->count, p->errors);
	if (p->errors)
		printf(",\"firstError\":\"%s\"", strerror(p->first_errno));
	printf("}%s", last ? "" : ",");
}

int main(int argc, char **argv)
{
	const char *netns = NULL;
	long n = 0, batch = 5000;
	int ifindex = 0;
	uint32_t gw = 0, gw2 = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--netns"))
			netns = argv[i + 1];
		else if (!strcmp(argv[i], "--n"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--batch"))
			batch = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--ifindex"))
			ifindex = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--gw"))
			inet_pton(AF_INET, argv[i + 1], &gw);
		else if (!strcmp(argv[i], "--gw2"))
			inet_pton(AF_INET, argv[i + 1], &gw2);
		else if (!strcmp(argv[i], "--ack") && (!strcmp(argv[i + 1], "last") || !strcmp(argv[i + 1], "each")))
			ack_last = !strcmp(argv[i + 1], "last");
		else {
			fprintf(stderr, "route-ref: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (n <= 0 || n > (1L << 24) || batch <= 0 || ifindex <= 0 || !gw || !gw2) {
		fprintf(stderr, "usage: route-ref [--netns PATH] --n N --ifindex I --gw A --gw2 A [--batch K] [--ack last|each]\n");
		return 2;
	}
	if (netns) {
		int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
			die(netns);
		close(nsfd);
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("socket");
	int rcv = RCVBUF, snd = SNDBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
		die("bind");
	sendbuf = malloc((size_t)batch * MSG_SPACE);
	recvbuf = malloc(RECV_BYTES);
	if (!sendbuf || !recvbuf)
		die("malloc");

	struct phase add = {.name = "add"}, dmp = {.name = "dump"}, rep = {.name = "replace"}, del = {.name = "delete"};
	churn(&add, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, n, gw, ifindex, batch);
	dump(&dmp);
	churn(&rep, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, n, gw2, ifindex, batch);
	churn(&del, RTM_DELROUTE, 0, n, 0, ifindex, batch);

	printf("result {\"phases\":{");
	print_phase(&add, 0);
	print_phase(&dmp, 0);
	print_phase(&rep, 0);
	print_phase(&del, 1);
	printf("},\"vmHwmKb\":%ld}\n", vm_hwm_kb());
	return add.errors || dmp.errors || rep.errors || del.errors ? 1 : 0;
}
