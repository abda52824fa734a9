// Idealised first-metatarsal shaft: a straight two-material cylinder along x.
// A cortical tube (outer radius Ro, wall thickness t) around a cancellous core
// (radius Ri = Ro - t), meshed conformally: BooleanFragments makes the tube and
// the core share the interface surface, so their tetrahedra share nodes there.
//
//   gmsh -3 -format msh41 meshes/bone_shaft.geo -o examples/cases/bone_shaft.msh
//   gmsh -3 -format msh41 meshes/bone_shaft.geo -setnumber h 1.0 -o fine.msh
//
// Dimensions (mm): L = 56 (first metatarsal length, 56.4 mm male mean, REFERENCE_DATA),
// Ro = 6.85 (13.7 mm shaft width), t = 2.0 (cortical thickness), so Ri = 4.85.
// Physical groups:  volumes "cortical", "cancellous";
//                   surfaces "base" (x = 0, tube + core end faces), "tip" (x = L, both).
SetFactory("OpenCASCADE");

DefineConstant[
  L  = {56.0, Name "Parameters/shaft length L (mm)"},
  Ro = {6.85, Name "Parameters/outer radius Ro (mm)"},
  t  = {2.0,  Name "Parameters/cortical thickness t (mm)"},
  h  = {2.0,  Name "Parameters/mesh size h (mm)"}
];
Ri = Ro - t;

Cylinder(1) = {0, 0, 0, L, 0, 0, Ro};
Cylinder(2) = {0, 0, 0, L, 0, 0, Ri};
// Outer cylinder fragmented by the inner one: a tube and a core, sharing the interface.
BooleanFragments{ Volume{1}; Delete; }{ Volume{2}; Delete; }

e = 1e-3;
core() = Volume In BoundingBox{-e, -Ri - e, -Ri - e, L + e, Ri + e, Ri + e};
all()  = Volume In BoundingBox{-e, -Ro - e, -Ro - e, L + e, Ro + e, Ro + e};
tube() = all();
tube() -= core();
If (#core() != 1 || #tube() != 1)
  Error("bone_shaft.geo: expected one core and one tube volume, got %g and %g",
        #core(), #tube());
EndIf

Physical Volume("cortical")   = tube();
Physical Volume("cancellous") = core();
Physical Surface("base") = Surface In BoundingBox{-e, -Ro - e, -Ro - e, e, Ro + e, Ro + e};
Physical Surface("tip")  = Surface In BoundingBox{L - e, -Ro - e, -Ro - e, L + e, Ro + e, Ro + e};

Mesh.MeshSizeMax = h;
Mesh.MeshSizeMin = h / 2;
Mesh.MeshSizeFromCurvature = 0;
Mesh.Optimize = 1;
Mesh.ElementOrder = 1;
