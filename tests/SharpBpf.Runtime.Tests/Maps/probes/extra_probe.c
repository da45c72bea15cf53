/* More K.x.* rows (see order_probe.c for how to build and run). Output on Linux 6.18:
 * | x.i1 | get_fd_by_id PATH_FD | -1 | EINVAL |
 * | x.p1 | obj_get PATH_FD path_fd=0 abs path | 4 | - |
 * | x.f1 | freeze via rdonly objget | -1 | EPERM |
 * | x.d1 | update via dup of rdonly | -1 | EPERM |
 * | x.l1 | lookup flags 5 | -1 | EINVAL | */
#include "common.h"
int main(void){
  int a = map_create(BPF_MAP_TYPE_ARRAY,4,8,4,0);
  struct bpf_map_info info; uint32_t len=sizeof(info); memset(&info,0,sizeof(info)); obj_get_info(a,&info,&len);
  union bpf_attr x; memset(&x,0,sizeof(x)); x.map_id=info.id; x.open_flags=1u<<14;
  errno=0; long r=sys_bpf(BPF_MAP_GET_FD_BY_ID,&x,sizeof(x)); row("x.i1","get_fd_by_id PATH_FD",r,errno,NULL);
  obj_pin(a,"/sys/fs/bpf/pf");
  errno=0; r=obj_get("/sys/fs/bpf/pf",1u<<14); row("x.p1","obj_get PATH_FD path_fd=0 abs path",r,errno,NULL);
  errno=0; r=obj_get("/sys/fs/bpf/pf",BPF_F_RDONLY); 
  int ro=(int)r; uint32_t k=0; uint64_t v=0;
  errno=0; r=map_freeze(ro); row("x.f1","freeze via rdonly objget",r,errno,NULL);
  /* dup of RDONLY fd keeps mode */
  int d=dup(ro); errno=0; r=map_update(d,&k,&v,0); row("x.d1","update via dup of rdonly",r,errno,NULL);
  errno=0; r=map_lookup(a,&k,&v,BPF_F_LOCK|1); row("x.l1","lookup flags 5",r,errno,NULL);
  unlink("/sys/fs/bpf/pf");
  return 0;
}
