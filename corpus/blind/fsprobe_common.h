/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fsprobe_common.h - bits shared by the fstrace probes
 *
 * Each traced VFS function gets a struct fsprobe; the function name is
 * kept next to the kprobe so the handlers can report it.
 */
#ifndef _FSPROBE_COMMON_H
#define _FSPROBE_COMMON_H

#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/atomic.h>
#include <linux/types.h>

#define FSPROBE_F_ARMED		0x1
#define FSPROBE_F_BY_ADDR	0x2

struct fsprobe {
	const char	*func;
	struct kprobe	kp;
	atomic64_t	hits;
	unsigned int	flags;
};

/* a watch on the fsync path, allocated on demand */
struct fs_watch {
	struct super_block	*sb;
	struct kprobe		probe;
	unsigned long		count;
};

/* one record per hit, kept in a small ring */
struct fs_event {
	unsigned long	addr;		/* probe that fired */
	dev_t		dev;
	unsigned long	ino;
	loff_t		pos;
	size_t		len;
};

#define FSPROBE(_f, _pre)						\
	{ .func = #_f, .kp = { .pre_handler = (_pre) } }

static inline unsigned long fsprobe_lookup(const char *name)
{
	return kallsyms_lookup_name(name);
}

/*
 * Point @fp at @where, or at its function if @where is 0, and register
 * it.  Returns -ENOENT if the function can't be found.
 */
static inline int fsprobe_arm(struct fsprobe *fp, unsigned long where)
{
	if (where) {
		fp->kp.addr = (kprobe_opcode_t *)where;
		fp->flags |= FSPROBE_F_BY_ADDR;
	} else {
		fp->kp.addr = (kprobe_opcode_t *)fsprobe_lookup(fp->func);
	}
	if (!fp->kp.addr)
		return -ENOENT;
	fp->flags |= FSPROBE_F_ARMED;
	return register_kprobe(&fp->kp);
}

static inline void fsprobe_disarm(struct fsprobe *fp)
{
	if (!(fp->flags & FSPROBE_F_ARMED))
		return;
	unregister_kprobe(&fp->kp);
	fp->kp.addr = NULL;
	fp->flags &= ~(FSPROBE_F_ARMED | FSPROBE_F_BY_ADDR);
}

static inline void fs_event_fill(struct fs_event *ev, const struct kprobe *p,
				 const struct file *file)
{
	ev->addr = (unsigned long)p->addr;
	ev->dev = file->f_inode->i_sb->s_dev;
	ev->ino = file->f_inode->i_ino;
}

#endif /* _FSPROBE_COMMON_H */
